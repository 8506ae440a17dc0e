/**
 * The health checks against real servers and real processes: an HTTP
 * server that answers, answers 500, answers the wrong body, hangs, then is
 * gone; a TCP port that closes; a command that fails, says why, or hangs
 * (and is killed with everything it started).
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { probeExec } from "../src/probes/health_exec.ts";
import { probeHttp } from "../src/probes/health_http.ts";
import { probeTcp } from "../src/probes/health_tcp.ts";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { until } from "../src/testing/wait.ts";

const timeout = (ms: number) => AbortSignal.timeout(ms);

Deno.test("health.http: status, body text, a hung server (timeout) and a closed port", async () => {
  let mode: "ok" | "500" | "hang" = "ok";
  const hung: (() => void)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    equal(req.headers.get("x-probe"), "1");
    if (mode === "500") return new Response("broken", { status: 500 });
    if (mode === "hang") return new Promise((resolve) => hung.push(() => resolve(new Response())));
    return new Response("all ok here");
  });
  const url = `http://127.0.0.1:${server.addr.port}/healthz`;
  const probe = { url, status: null, body: null, headers: { "x-probe": "1" } };
  try {
    deepStrictEqual(await probeHttp(probe, timeout(2000)), { ok: true });
    deepStrictEqual(await probeHttp({ ...probe, body: "ok here" }, timeout(2000)), { ok: true });
    deepStrictEqual(await probeHttp({ ...probe, body: "ready" }, timeout(2000)), {
      ok: false,
      reason: 'body does not contain "ready"',
    });
    deepStrictEqual(await probeHttp({ ...probe, status: [204] }, timeout(2000)), {
      ok: false,
      reason: "status 200 (expected 204)",
    });
    mode = "500";
    deepStrictEqual(await probeHttp(probe, timeout(2000)), {
      ok: false,
      reason: "status 500 (expected 2xx or 3xx)",
    });
    mode = "hang";
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(new Error("timeout after 300ms")), 300);
    deepStrictEqual(await probeHttp(probe, abort.signal), {
      ok: false,
      reason: "timeout after 300ms",
    });
    ok(Date.now() - started < 2000);
  } finally {
    for (const release of hung) release();
    await server.shutdown();
  }
  deepStrictEqual(await probeHttp(probe, timeout(2000)), {
    ok: false,
    reason: "connection refused",
  });
});

Deno.test("health.tcp: passes while the port listens, connection refused once it closes", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  const accepted = (async () => {
    for await (const conn of listener) conn.close();
  })();
  deepStrictEqual(await probeTcp("127.0.0.1", port, timeout(2000)), { ok: true });
  listener.close();
  await accepted.catch(() => {});
  deepStrictEqual(await probeTcp("127.0.0.1", port, timeout(2000)), {
    ok: false,
    reason: "connection refused",
  });
});

Deno.test("health.exec: exit 0 passes, a failure says its code and last line, a hung command is killed with its group", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-health-exec-" });
  try {
    const job = resolvedJob("db", ["x"], { dir, env: { GREETING: "db is gone" } });
    deepStrictEqual(await probeExec(job, ["true"], timeout(5000)), { ok: true });
    deepStrictEqual(
      await probeExec(
        job,
        ["sh", "-c", 'echo checking; echo "$GREETING" >&2; exit 3'],
        timeout(5000),
      ),
      { ok: false, reason: "exit code 3: db is gone" },
      "runs with the job's environment",
    );
    deepStrictEqual(await probeExec(job, ["sh", "-c", "pwd >&2; exit 1"], timeout(5000)), {
      ok: false,
      reason: `exit code 1: ${await Deno.realPath(dir)}`,
    });
    deepStrictEqual(await probeExec(job, ["no-such-command-x"], timeout(5000)), {
      ok: false,
      reason: 'Cannot start job "db": command "no-such-command-x" was not found',
    });
    const abort = new AbortController();
    const script = `sleep 300 & echo $! > ${dir}/child; wait`;
    const done = probeExec(job, ["sh", "-c", script], abort.signal);
    await until(
      () => Deno.readTextFileSync(`${dir}/child`).trim() !== "",
      "the hung check's child",
    );
    const child = Number(Deno.readTextFileSync(`${dir}/child`));
    abort.abort(new Error("timeout after 200ms"));
    deepStrictEqual(await done, { ok: false, reason: "timeout after 200ms" });
    await until(() => !alive(child), "the hung check's child to be killed", 5000);
    // A command that passes but leaves a process holding its pipes does not hang the check.
    const leftover = `sleep 300 & echo $! > ${dir}/left; exit 0`;
    deepStrictEqual(await probeExec(job, ["sh", "-c", leftover], timeout(5000)), { ok: true });
    const left = Number(Deno.readTextFileSync(`${dir}/left`));
    await until(() => !alive(left), "the check's leftover process to be killed", 5000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** True while `pid` runs (a zombie counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return false;
  }
}

Deno.test("health.http: a server that answers garbage or closes at once, or streams an endless body, fails with a reason", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    for await (const conn of listener) {
      await conn.write(new TextEncoder().encode("garbage\r\n\r\n")).catch(() => 0);
      conn.close();
    }
  })();
  const garbage = await probeHttp(
    { url: `http://127.0.0.1:${listener.addr.port}/`, status: null, body: null },
    timeout(2000),
  );
  equal(garbage.ok, false);
  ok(!garbage.ok && garbage.reason.length > 0, JSON.stringify(garbage));
  listener.close();
  await served.catch(() => {});

  // 1 MB of "x" a chunk at a time, forever: only the first 1 MB is read, then the answer is dropped.
  const chunk = new Uint8Array(64 * 1024).fill(120);
  const endless = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
    new Response(
      new ReadableStream({
        pull(controller) {
          controller.enqueue(chunk);
        },
      }),
    ));
  try {
    const started = Date.now();
    deepStrictEqual(
      await probeHttp(
        { url: `http://127.0.0.1:${endless.addr.port}/`, status: null, body: "ok" },
        timeout(5000),
      ),
      { ok: false, reason: 'body does not contain "ok"' },
    );
    ok(Date.now() - started < 5000, "stopped reading after the first megabyte");
  } finally {
    await endless.shutdown();
  }
});
