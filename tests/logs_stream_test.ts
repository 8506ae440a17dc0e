/**
 * The streaming operator routes of a real `sup run`, over TCP with the
 * operator token: `GET /api/logs` (jobs' lines with time and stream, in the
 * order the job wrote them, then live) and `GET /api/events`.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { until } from "../src/testing/wait.ts";
import { operatorHeaders } from "./support/operator_token.ts";
import { startSupProcess } from "./support/sup_run.ts";

interface LogLine {
  time: number;
  job: string;
  stream: "stdout" | "stderr";
  line: string;
}

/** Reads NDJSON records (skipping keepalive lines) from a streamed response. */
function records<T>(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let carry = "";
  const ready: T[] = [];
  return {
    /** The next record, or null once the stream ended (bounded). */
    async next(timeoutMs = 10_000): Promise<T | null> {
      const deadline = Date.now() + timeoutMs;
      while (ready.length === 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) =>
          timer = setTimeout(() => reject(new Error("no record in time")), deadline - Date.now())
        );
        const { value, done } = await Promise.race([reader.read(), timeout]).finally(() =>
          clearTimeout(timer)
        );
        if (done) return null;
        const parts = (carry + value).split("\n");
        carry = parts.pop()!;
        ready.push(...parts.filter((p) => p !== "").map((p) => JSON.parse(p) as T));
      }
      return ready.shift()!;
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}

Deno.test("GET /api/logs returns a job's stdout and stderr in the order it wrote them, each with time and stream", async () => {
  const started = Date.now();
  await using sup = await startSupProcess(() => ({
    jobs: {
      talker: {
        cmd: [
          "sh",
          "-c",
          "echo out1; sleep 0.05; echo err1 >&2; sleep 0.05; echo out2; " +
          "sleep 0.05; echo err2 >&2; sleep 0.05; echo out3; exec sleep 300",
        ],
      },
    },
  }));
  const headers = await operatorHeaders(`${sup.dir}/runtime`);
  let lines: LogLine[] = [];
  await until(async () => {
    const response = await fetch(`${sup.api}/api/logs?job=talker`, { headers });
    lines = (await response.text()).split("\n").filter((l) => l).map((l) => JSON.parse(l));
    return lines.length === 5;
  }, "five lines in the ring");
  deepStrictEqual(lines.map((l) => `${l.stream}:${l.line}`), [
    "stdout:out1",
    "stderr:err1",
    "stdout:out2",
    "stderr:err2",
    "stdout:out3",
  ]);
  ok(lines.every((l) => l.job === "talker"));
  ok(
    lines.every((l, i) =>
      l.time >= started && l.time <= Date.now() && (i === 0 || l.time >= lines[i - 1].time)
    ),
  );
  ok(lines[4].time - lines[0].time >= 150, "times are the times the lines were read");
  // sup's own log: job output at info, stream named; stderr is not a warning.
  await sup.waitForLog(["[INF] sup·job·talker·stderr: err1"], "stderr line at info");
  await sup.waitForLog(["[INF] sup·job·talker·stdout: out1"], "stdout line at info");
  const unauthorized = await fetch(`${sup.api}/api/logs?job=talker`);
  equal(unauthorized.status, 401);
  await unauthorized.body?.cancel();
});

Deno.test("logs follow: history then live lines with no gap or repeat; the stream ends when sup stops", async () => {
  const sup = await startSupProcess(() => ({
    jobs: {
      ticker: {
        cmd: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.02; done"],
      },
      quiet: { cmd: "sleep 300" },
    },
  }));
  try {
    const headers = await operatorHeaders(`${sup.dir}/runtime`);
    await until(async () => {
      const text = await (await fetch(`${sup.api}/api/logs?job=ticker`, { headers })).text();
      return text.split("\n").filter((l) => l).length >= 20;
    }, "ticker wrote 20 lines");
    const response = await fetch(`${sup.api}/api/logs?job=all&lines=10&follow=1`, { headers });
    equal(response.headers.get("content-type"), "application/x-ndjson");
    const stream = records<LogLine>(response);
    const seen: number[] = [];
    while (seen.length < 40) {
      const record = await stream.next();
      ok(record !== null);
      equal(record.job, "ticker");
      seen.push(Number(record.line.split(" ")[1]));
    }
    for (let i = 1; i < seen.length; i++) {
      equal(seen[i], seen[i - 1] + 1, `lines ${seen.join(",")}`);
    }
    const { code, ms } = await sup.stop();
    equal(code, 0);
    ok(ms < 10_000, `sup took ${ms} ms to stop with a follower`);
    let ended = false;
    for (let i = 0; i < 10_000 && !ended; i++) ended = (await stream.next()) === null;
    ok(ended, "the follow stream ended when sup stopped");
  } finally {
    await sup.stop();
    await Deno.remove(sup.dir, { recursive: true });
  }
});

Deno.test("GET /api/events streams a restart asked over HTTP, after the recent events", async () => {
  await using sup = await startSupProcess(() => ({
    jobs: { web: { cmd: "sleep 300", groups: ["front"] }, other: { cmd: "sleep 300" } },
  }));
  const headers = await operatorHeaders(`${sup.dir}/runtime`);
  await until(async () => {
    const status = await sup.get<{ state: string }[]>("/api/jobs");
    return status.every((job) => job.state === "running");
  }, "both jobs running");
  const history = await fetch(`${sup.api}/api/events?job=group:front`, { headers });
  const recent = (await history.text()).split("\n").filter((l) => l).map((l) => JSON.parse(l));
  ok(recent.some((e) => e.type === "job.spawned"), "the history has web's start");
  ok(recent.every((e) => e.job === "web"), "only the group's events");
  const response = await fetch(`${sup.api}/api/events?job=group:front&follow=1&lines=0`, {
    headers,
  });
  const stream = records<{ type: string; job?: string }>(response);
  const restart = await fetch(`${sup.api}/api/jobs/web/restart`, { method: "POST", headers });
  equal(restart.status, 200);
  await restart.body?.cancel();
  const types: string[] = [];
  while (!types.includes("job.spawned")) {
    const event = await stream.next();
    ok(event !== null);
    equal(event.job, "web");
    types.push(event.type);
  }
  ok(types.includes("job.action") && types.includes("job.exited"), types.join(", "));
  await stream.cancel();
  const bad = await fetch(`${sup.api}/api/events?job=wbe`, { headers });
  equal(bad.status, 404);
  ok(((await bad.json()) as { error: string }).error.includes('"web"'));
});
