import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { EventOf, JobState } from "./events.ts";
import { type Run, RunTracker } from "./run_tracker.ts";

function state(job: string, from: JobState, to: JobState, pid: number | null, at: number) {
  return {
    type: "job.state",
    job,
    from,
    to,
    pid,
    reason: { source: "manual" },
    code: null,
    signal: null,
    uptimeMs: null,
    at,
  } satisfies EventOf<"job.state">;
}

function recorder(runs: RunTracker) {
  const seen: string[] = [];
  const off = runs.subscribe({
    started: (r) => seen.push(`started ${r.job}#${r.n} pid ${r.pid} at ${r.startedAt}`),
    ready: (r) => seen.push(`ready ${r.job}#${r.n} at ${r.readyAt}`),
    ended: (r) => seen.push(`ended ${r.job}#${r.n} → ${r.end?.to}`),
  });
  return { seen, off };
}

Deno.test("a run starts when the job enters running and ends when it leaves running, any way out", () => {
  const runs = new RunTracker();
  const { seen } = recorder(runs);
  runs.follow(state("web", "stopped", "starting", null, 1));
  equal(runs.current("web"), undefined, "starting is not a run yet");
  runs.follow(state("web", "starting", "running", 10, 2));
  equal(runs.current("web")?.pid, 10);
  runs.follow(state("web", "running", "backoff", null, 3)); // a quick death
  equal(runs.current("web"), undefined);
  runs.follow(state("web", "backoff", "starting", null, 4));
  runs.follow(state("web", "starting", "running", 11, 5));
  runs.follow(state("web", "running", "stopping", 11, 6)); // asked to stop: the run ends here
  runs.follow(state("web", "stopping", "stopped", null, 7)); // not a second end
  deepStrictEqual(seen, [
    "started web#1 pid 10 at 2",
    "ended web#1 → backoff",
    "started web#2 pid 11 at 5",
    "ended web#2 → stopping",
  ]);
});

Deno.test("the end of a run is the job.state event that ended it", () => {
  const runs = new RunTracker();
  runs.follow(state("web", "starting", "running", 10, 2));
  const run = runs.current("web")!;
  const exit = { ...state("web", "running", "starting", null, 9), code: 3, uptimeMs: 7 };
  runs.follow(exit);
  equal(run.end, exit);
  equal(runs.current("web"), undefined);
  equal(runs.all().length, 0);
});

Deno.test("readiness is recorded once, for the current process only", () => {
  const runs = new RunTracker();
  const { seen } = recorder(runs);
  runs.follow(state("web", "starting", "running", 10, 2));
  runs.follow({ type: "job.ready", job: "web", pid: 99, by: "heartbeat", at: 3 });
  equal(runs.current("web")?.readyAt, null, "another process's readiness");
  runs.follow({ type: "job.ready", job: "web", pid: 10, by: "heartbeat", at: 4 });
  runs.follow({ type: "job.ready", job: "web", pid: 10, by: "heartbeat", at: 5 });
  equal(runs.current("web")?.readyAt, 4);
  deepStrictEqual(seen, ["started web#1 pid 10 at 2", "ready web#1 at 4"]);
});

Deno.test("an observer subscribing late is told of the runs going on; unsubscribe stops it", () => {
  const runs = new RunTracker();
  runs.follow(state("a", "starting", "running", 1, 1));
  runs.follow(state("b", "starting", "running", 2, 1));
  runs.follow(state("b", "running", "exited", null, 2));
  const { seen, off } = recorder(runs);
  deepStrictEqual(seen, ["started a#1 pid 1 at 1"]);
  deepStrictEqual(runs.all().map((r: Run) => r.job), ["a"]);
  off();
  runs.follow(state("a", "running", "stopping", 1, 3));
  equal(seen.length, 1);
});

Deno.test("an observer that throws is reported and does not stop the others", () => {
  const errors: unknown[] = [];
  const runs = new RunTracker((error) => errors.push(error));
  runs.subscribe({
    started: () => {
      throw new Error("boom");
    },
  });
  const { seen } = recorder(runs);
  runs.follow(state("web", "starting", "running", 10, 2));
  equal(errors.length, 1);
  equal(seen.length, 1);
  ok(runs.current("web"));
});
