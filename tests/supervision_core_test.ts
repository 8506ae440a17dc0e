/**
 * The supervisor with real processes: restart policy, backoff, fatal and
 * its ways out, stop of whole process groups, kill timeout, spawn errors.
 */

import { deepStrictEqual, equal, match, notEqual, ok } from "node:assert/strict";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { alive, until } from "./support/event_log.ts";
import { withSupervisor } from "./support/with_supervisor.ts";

const manual = { source: "manual" } as const;

const sh = (script: string) => ["/bin/sh", "-c", script];

Deno.test("crashed job is restarted at once when it outlived minUptime", async () => {
  await withSupervisor(
    [resolvedJob("crashy", sh("sleep 0.1; exit 3"), { minUptimeMs: 50 })],
    async (sup, log) => {
      const second = await log.wait("job.spawned", () => true, { count: 2 });
      const first = log.all("job.spawned")[0];
      notEqual(first.pid, second.pid);
      const exited = log.all("job.exited")[0];
      equal(exited.code, 3);
      equal(exited.expected, false);
      equal(log.all("job.backoff").length, 0, "no backoff after a long enough run");
      ok(
        log.all("job.state").some((e) => e.from === "running" && e.to === "starting"),
        "restarted at once",
      );
      ok(second.at - exited.at < 1_000, "restart is immediate");
      equal(sup.jobStatus("crashy")?.retries, 0);
      ok((sup.jobStatus("crashy")?.restarts ?? 0) >= 1);
    },
  );
});

Deno.test("job exiting with 33 is not restarted", async () => {
  await withSupervisor(
    [resolvedJob("quitter", sh("exit 33"), { minUptimeMs: 0 })],
    async (sup, log) => {
      await log.wait("job.state", (e) => e.to === "exited");
      await new Promise((r) => setTimeout(r, 200));
      equal(log.all("job.spawned").length, 1);
      equal(sup.jobStatus("quitter")?.state, "exited");
      equal(sup.jobStatus("quitter")?.lastExit?.code, 33);
    },
  );
});

Deno.test("quick deaths back off with doubling delays and end fatal after maxRetries", async () => {
  const job = resolvedJob("flappy", sh("echo dying >&2; exit 1"), {
    minUptimeMs: 5_000,
    backoffInitialMs: 40,
    backoffMaxMs: 100,
    maxRetries: 4,
  });
  await withSupervisor([job], async (sup, log) => {
    const fatal = await log.wait("job.fatal");
    match(fatal.message, /exited with code 1 4 times in a row/);
    deepStrictEqual(log.all("job.backoff").map((e) => e.delayMs), [40, 80, 100]);
    const spawns = log.all("job.spawned");
    const exits = log.all("job.exited");
    equal(spawns.length, 4);
    for (let i = 1; i < spawns.length; i++) {
      const delay = [40, 80, 100][i - 1];
      ok(spawns[i].at - exits[i - 1].at >= delay - 5, `retry ${i} waited its backoff`);
    }
    deepStrictEqual(exits.at(-1)?.stderrTail, ["dying"]);
    equal(sup.jobStatus("flappy")?.state, "fatal");
    equal(sup.jobStatus("flappy")?.fatalMessage, fatal.message);

    // A manual start is the way out of fatal.
    sup.start("flappy", manual);
    const out = await log.wait("job.state", (e) => e.from === "fatal" && e.to === "starting");
    equal(out.reason.source, "manual");
    await log.wait("job.spawned", () => true, { count: 5 });
  });
});

Deno.test("fatal job is retried after retryFatalAfter", async () => {
  const job = resolvedJob("late", sh("exit 1"), {
    minUptimeMs: 5_000,
    maxRetries: 1,
    retryFatalAfterMs: 150,
  });
  await withSupervisor([job], async (_sup, log) => {
    const fatal = await log.wait("job.fatal");
    const retry = await log.wait("job.state", (e) => e.from === "fatal" && e.to === "starting");
    equal(retry.reason.source, "retry");
    ok(retry.at - fatal.at >= 145, "retried after the delay");
    await log.wait("job.fatal", () => true, { count: 2 });
  });
});

Deno.test("command not found makes that job fatal at once and leaves others running", async () => {
  const jobs = [
    resolvedJob("api", ["nodex-not-here", "server.js"]),
    resolvedJob("nodir", ["sleep", "30"], { dir: "/nonexistent/sup-dir" }),
    resolvedJob("ok", ["sleep", "30"]),
  ];
  await withSupervisor(jobs, async (sup, log) => {
    const failed = await log.wait("job.spawnFailed", (e) => e.job === "api");
    equal(failed.message, 'Cannot start job "api": command "nodex-not-here" was not found');
    const nodir = await log.wait("job.fatal", (e) => e.job === "nodir");
    equal(
      nodir.message,
      'Cannot start job "nodir": directory "/nonexistent/sup-dir" does not exist',
    );
    await new Promise((r) => setTimeout(r, 100));
    equal(
      log.all("job.state", (e) => e.job === "api" && e.to === "starting").length,
      1,
      "no restart storm",
    );
    equal(sup.jobStatus("ok")?.state, "running");
  });
});

Deno.test("stop kills the whole process group, grandchildren included", async () => {
  const pidFile = await Deno.makeTempFile();
  const job = resolvedJob("parent", sh(`sleep 300 & echo $! > ${pidFile}; wait`));
  try {
    await withSupervisor([job], async (sup, log) => {
      await log.wait("job.spawned");
      await until(
        () => Deno.readTextFileSync(pidFile).trim() !== "",
        "the grandchild pid is written",
      );
      const grandchild = Number(Deno.readTextFileSync(pidFile));
      ok(alive(grandchild));
      await sup.stop("parent", manual);
      equal(sup.jobStatus("parent")?.state, "stopped");
      await until(() => !alive(grandchild), "the grandchild is gone", 2_000);
      const exited = await log.wait("job.exited");
      equal(exited.expected, true);
    });
  } finally {
    await Deno.remove(pidFile);
  }
});

Deno.test("job ignoring SIGTERM is SIGKILLed after killTimeout", async () => {
  const job = resolvedJob(
    "stubborn",
    sh('trap "" TERM; echo ready; while :; do sleep 0.05; done'),
    {
      killTimeoutMs: 300,
    },
  );
  await withSupervisor([job], async (sup, log) => {
    await log.wait("job.output", (e) => e.line === "ready").catch(() => {});
    await until(() => sup.outputTail("stubborn").includes("ready"), "the trap is set");
    const stopped = sup.stop("stubborn", manual);
    const action = await log.wait("job.action", (e) => e.action === "stop");
    await stopped;
    const exited = await log.wait("job.exited");
    equal(exited.signal, "SIGKILL");
    const took = exited.at - action.at;
    ok(took >= 295 && took < 1_300, `SIGKILL came after the timeout (${took}ms)`);
  });
});

Deno.test("restart stops the process and starts a new one with the reason", async () => {
  await withSupervisor([resolvedJob("web", ["sleep", "30"])], async (sup, log) => {
    const first = await log.wait("job.spawned");
    sup.restart("web", { source: "manual", detail: "operator" });
    const second = await log.wait("job.spawned", () => true, { count: 2 });
    notEqual(first.pid, second.pid);
    ok(!alive(first.pid));
    equal(sup.jobStatus("web")?.lastReason?.detail, "operator");
    equal(log.all("job.exited")[0].expected, true);
  });
});

Deno.test("environment, ulimit, stdin and user reach the child", async () => {
  const input = await Deno.makeTempFile();
  await Deno.writeTextFile(input, "from-stdin\n");
  const job = resolvedJob(
    "probe",
    sh(
      'echo "FOO=$FOO JOB=$SUP_JOB"; grep "Max open files" /proc/self/limits; read line; echo "in=$line"; id -u',
    ),
    {
      once: true,
      env: { FOO: "bar" },
      ulimit: { nofile: 1234, nproc: null, core: null, memlock: null, stack: null },
      stdin: input,
      uid: 65534,
      gid: 65534,
    },
  );
  try {
    await withSupervisor([job], async (sup, log) => {
      const exited = await log.wait("job.exited");
      equal(exited.code, 0);
      const out = sup.outputTail("probe");
      ok(out.includes("FOO=bar JOB=probe"), out.join("\n"));
      ok(out.some((l) => /Max open files\s+1234\s+1234/.test(l)), out.join("\n"));
      ok(out.includes("in=from-stdin"), out.join("\n"));
      ok(out.includes("65534"), `runs as nobody: ${out.join("\n")}`);
      equal(log.all("job.spawned")[0].argv[0], "/bin/sh");
    });
  } finally {
    await Deno.remove(input);
  }
});

Deno.test("clearEnv starts from an empty environment", async () => {
  const job = resolvedJob("bare", ["/usr/bin/env"], {
    once: true,
    clearEnv: true,
    env: { ONLY: "1" },
  });
  await withSupervisor([job], async (sup, log) => {
    await log.wait("job.exited");
    const { http, websocket, osc } = sup.config().network;
    deepStrictEqual(sup.outputTail("bare").sort(), [
      "ONLY=1",
      `SUP_HTTP_URL=http://127.0.0.1:${http.port}`,
      "SUP_JOB=bare",
      "SUP_OSC_HOST=127.0.0.1",
      `SUP_OSC_PORT=${osc.port}`,
      `SUP_WS_URL=ws://127.0.0.1:${websocket.port}/app`,
    ], "only the job's env and where sup is");
  });
});

Deno.test("job output goes to its file, and to the ring buffer interleaved", async () => {
  const dir = await Deno.makeTempDir();
  const file = {
    kind: "file" as const,
    path: `${dir}/out.log`,
    maxBytes: 1 << 20,
    maxFiles: 2,
    daily: false,
    mode: 0o600,
  };
  const job = resolvedJob("talker", sh("echo one; echo two >&2; echo three"), {
    once: true,
    stdout: file,
    stderr: { kind: "discard" },
  });
  try {
    await withSupervisor([job], async (sup, log) => {
      await log.wait("job.exited");
      await until(() => {
        try {
          return Deno.readTextFileSync(file.path) === "one\nthree\n";
        } catch {
          return false;
        }
      }, "stdout is in the file");
      await until(() => sup.outputTail("talker").length === 2, "the ring holds stdout lines");
      deepStrictEqual(sup.outputTail("talker"), ["one", "three"]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
