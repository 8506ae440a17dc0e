import { deepStrictEqual, equal } from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import { RecordingApi } from "../testing/recording_api.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { BounceProbe } from "./bounce.ts";

const config = (bounceMs: number | null) =>
  resolvedConfig([
    resolvedJob("web", ["sleep", "100"], { bounceMs }),
    resolvedJob("db", ["sleep", "100"]),
  ]);

function setup(bounceMs: number | null = 60_000) {
  const clock = new FakeClock();
  const api = new RecordingApi(config(bounceMs), clock);
  const probe = new BounceProbe(api, clock);
  probe.apply(config(bounceMs));
  const spawned = (job: string, pid: number) => api.spawned(job, pid);
  const exited = (job: string, pid: number) => api.exited(job, pid);
  const restarts = () => api.actions.filter((a) => a.method === "restart").map((a) => a.job);
  return { clock, api, probe, spawned, exited, restarts };
}

Deno.test("bounce restarts a job bounceMs after it was spawned, with its reason", () => {
  const { clock, api, probe, spawned, exited, restarts } = setup();
  spawned("web", 100);
  spawned("db", 101);
  clock.advance(59_999);
  deepStrictEqual(restarts(), []);
  clock.advance(1);
  deepStrictEqual(restarts(), ["web"]);
  deepStrictEqual(api.actions[0].reason, { source: "bounce", detail: "restarted every 1m" });
  exited("web", 100);
  spawned("web", 102); // the restart's new process gets a new period
  clock.advance(60_000);
  deepStrictEqual(restarts(), ["web", "web"]);
  probe.close();
});

Deno.test("bounce timer is cleared when the process exits or is being stopped", () => {
  const { clock, api, probe, spawned, exited, restarts } = setup();
  spawned("web", 100);
  exited("web", 100);
  clock.advance(120_000);
  deepStrictEqual(restarts(), []);
  spawned("web", 200);
  api.stopping("web", 200);
  clock.advance(120_000);
  deepStrictEqual(restarts(), []);
  equal(clock.pending, 0);
  probe.close();
});

Deno.test("a late exit of an older process does not clear the current one's timer", () => {
  const { clock, api, probe, spawned, exited, restarts } = setup();
  spawned("web", 100);
  exited("web", 100);
  spawned("web", 200);
  api.bus.emit({
    type: "job.exited",
    job: "web",
    pid: 100,
    code: 1,
    signal: null,
    uptimeMs: 0,
    expected: false,
    stderrTail: [],
    at: clock.now(),
  });
  clock.advance(60_000);
  deepStrictEqual(restarts(), ["web"]);
  probe.close();
});

Deno.test("apply arms a job already running for the rest of its period, and disarms removed bounce", () => {
  const clock = new FakeClock();
  const api = new RecordingApi(config(10_000), clock);
  api.spawned("web", 7, clock.now() - 4_000);
  const probe = new BounceProbe(api, clock);
  probe.apply(config(10_000));
  deepStrictEqual(probe.armed(), ["web"]);
  clock.advance(5_999);
  equal(api.actions.length, 0);
  clock.advance(1);
  equal(api.actions.length, 1);
  api.exited("web", 7);
  api.spawned("web", 8);
  probe.apply(config(null));
  deepStrictEqual(probe.armed(), []);
  clock.advance(100_000);
  equal(api.actions.length, 1);
  probe.close();
});

Deno.test("close clears timers and stops listening", () => {
  const { clock, probe, spawned, restarts } = setup();
  spawned("web", 100);
  probe.close();
  spawned("web", 101);
  clock.advance(200_000);
  deepStrictEqual(restarts(), []);
  equal(clock.pending, 0);
});
