import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { HeartbeatAction } from "../config/types.ts";
import type { SupEvent } from "../core/events.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { RecordingApi } from "../testing/recording_api.ts";
import { HeartbeatWatchdog } from "./heartbeat.ts";
import { StallDetector } from "../core/stall_detector.ts";

function setup(action: HeartbeatAction = "restart", timeoutMs = 1000, startupTimeoutMs = 5000) {
  const config = resolvedConfig([
    resolvedJob("kiosk", ["x"], { heartbeat: { timeoutMs, startupTimeoutMs, action } }),
    resolvedJob("plain", ["x"]),
  ]);
  const clock = new FakeClock();
  const api = new RecordingApi(config, clock);
  const dog = new HeartbeatWatchdog(api, { clock });
  dog.apply(config);
  const missed: SupEvent[] = [];
  api.bus.on("heartbeat.missed", (e) => missed.push(e));
  const spawn = (job = "kiosk", pid = 100) => api.spawned(job, pid);
  const acts = () => api.actions.filter((a) => a.method !== "markReady");
  return { api, clock, dog, missed, spawn, acts };
}

Deno.test("first heartbeat marks the job ready once per spawn", () => {
  const { api, dog, spawn, clock } = setup();
  equal(dog.beat("kiosk"), false, "no process yet");
  spawn();
  equal(dog.beat("kiosk"), true);
  clock.advance(10);
  dog.beat("kiosk");
  deepStrictEqual(api.actions, [{ method: "markReady", job: "kiosk" }]);
  api.exited("kiosk", 100);
  spawn("kiosk", 101);
  dog.beat("kiosk");
  equal(api.actions.filter((a) => a.method === "markReady").length, 2);
});

Deno.test("job beating within its timeout is never acted on", () => {
  const { spawn, dog, clock, missed, acts } = setup();
  spawn();
  for (let i = 0; i < 600; i++) {
    dog.beat("kiosk");
    clock.advance(16);
  }
  deepStrictEqual(missed, []);
  deepStrictEqual(acts(), []);
});

Deno.test("heartbeats do not add timers: one timer per watched job", () => {
  const { spawn, dog, clock } = setup();
  spawn();
  dog.beat("kiosk");
  for (let i = 0; i < 1000; i++) dog.beat("kiosk");
  equal(clock.pending, 1);
});

Deno.test("job that stops beating is restarted exactly at last beat + timeout", () => {
  const { spawn, dog, clock, missed, acts } = setup("restart", 1000);
  spawn();
  dog.beat("kiosk");
  clock.advance(700);
  dog.beat("kiosk");
  const last = clock.now();
  clock.advance(999);
  deepStrictEqual(acts(), []);
  clock.advance(1);
  equal(missed.length, 1);
  deepStrictEqual(missed[0], {
    type: "heartbeat.missed",
    job: "kiosk",
    lastSeen: last,
    timeoutMs: 1000,
    at: last + 1000,
  });
  deepStrictEqual(acts(), [{
    method: "restart",
    job: "kiosk",
    reason: { source: "heartbeat", detail: "no heartbeat for 1000ms (timeout 1000ms)" },
  }]);
});

Deno.test("job that never sends a first heartbeat is restarted after startupTimeout", () => {
  const { spawn, clock, missed, acts } = setup("restart", 1000, 5000);
  const t0 = clock.now();
  spawn();
  clock.advance(4999);
  equal(missed.length, 0);
  clock.advance(1);
  equal(missed.length, 1);
  const e = missed[0];
  ok(e.type === "heartbeat.missed" && e.lastSeen === null && e.timeoutMs === 5000);
  equal(e.at, t0 + 5000);
  equal(acts()[0].reason?.detail, "no first heartbeat within 5000ms of the start");
});

Deno.test("after the first beat the shorter heartbeat timeout applies, not startupTimeout", () => {
  const { spawn, dog, clock, missed } = setup("restart", 1000, 60_000);
  spawn();
  clock.advance(100);
  dog.beat("kiosk");
  clock.advance(1000);
  equal(missed.length, 1);
});

Deno.test("kill action sends SIGKILL to the job through the API", () => {
  const { spawn, clock, acts } = setup("kill");
  spawn();
  clock.advance(5000);
  deepStrictEqual(acts().map((a) => [a.method, a.signal]), [["signal", "SIGKILL"]]);
});

Deno.test("reboot action asks the supervisor for a reboot, with the job and reason", () => {
  const { spawn, clock, acts } = setup("reboot");
  spawn("kiosk", 4242);
  clock.advance(5000);
  deepStrictEqual(acts().filter((a) => a.method !== "reboot"), []);
  deepStrictEqual(acts().map((a) => a.reason), [{
    source: "heartbeat",
    detail: 'job "kiosk" (pid 4242): no first heartbeat within 5000ms of the start',
  }]);
});

Deno.test("action none only notifies, once, and watches again after the next beat", () => {
  const { spawn, dog, clock, missed, acts } = setup("none");
  spawn();
  dog.beat("kiosk");
  clock.advance(5000);
  equal(missed.length, 1, "one event for one silence");
  deepStrictEqual(acts(), []);
  dog.beat("kiosk");
  clock.advance(999);
  equal(missed.length, 1);
  clock.advance(1);
  equal(missed.length, 2);
});

Deno.test("a job that exits or is being stopped is not acted on", () => {
  const { api, spawn, clock, missed, dog } = setup();
  spawn("kiosk", 100);
  dog.beat("kiosk");
  api.exited("kiosk", 100);
  clock.advance(10_000);
  equal(missed.length, 0);
  equal(dog.beat("kiosk"), false);
  spawn("kiosk", 101);
  api.stopping("kiosk", 101);
  clock.advance(10_000);
  equal(missed.length, 0);
  equal(clock.pending, 0);
});

Deno.test("a late exit of an older process does not disarm the new one", () => {
  const { api, spawn, clock, missed } = setup();
  spawn("kiosk", 100);
  api.exited("kiosk", 100);
  spawn("kiosk", 101);
  api.bus.emit({
    type: "job.exited",
    job: "kiosk",
    pid: 100,
    code: null,
    signal: "SIGKILL",
    uptimeMs: 5,
    expected: true,
    stderrTail: [],
    at: clock.now(),
  });
  clock.advance(5000);
  equal(missed.length, 1);
});

Deno.test("a job without heartbeat config is marked ready by a beat but never watched", () => {
  const { api, spawn, dog, clock, missed } = setup();
  spawn("plain", 7);
  equal(dog.beat("plain"), true);
  clock.advance(1_000_000);
  equal(missed.length, 0);
  deepStrictEqual(api.actions, [{ method: "markReady", job: "plain" }]);
});

Deno.test("unknown jobs are refused", () => {
  const { dog } = setup();
  equal(dog.beat("ghost"), false);
});

Deno.test("a watchdog created late watches runs already going on and forgets removed jobs", () => {
  const { api, clock, missed, dog: early } = setup();
  early.close();
  api.spawned("kiosk", 55);
  api.markReady("kiosk");
  const dog = new HeartbeatWatchdog(api, { clock });
  dog.apply(api.config());
  equal(dog.info("kiosk")?.armed, true);
  clock.advance(1000);
  equal(missed.length, 1, "ready job counts from the apply as its last beat");
  const empty = resolvedConfig([]);
  api.setConfig(empty);
  dog.apply(empty);
  equal(dog.info("kiosk"), undefined);
  equal(clock.pending, 0);
});

Deno.test("apply watches a run that started before the job was in the watchdog's config", () => {
  const { api, clock, missed, dog } = setup();
  const empty = resolvedConfig([]);
  api.setConfig(empty);
  dog.apply(empty);
  api.spawned("kiosk", 56); // unknown to the watchdog and to api.config(): not adopted
  equal(dog.info("kiosk"), undefined);
  const config = resolvedConfig([
    resolvedJob("kiosk", ["x"], {
      heartbeat: { timeoutMs: 1000, startupTimeoutMs: 5000, action: "restart" },
    }),
  ]);
  api.setConfig(config);
  dog.apply(config);
  equal(dog.info("kiosk")?.armed, true);
  clock.advance(5000);
  equal(missed.length, 1, "not ready: the startup timeout counts from the run's start");
});

Deno.test("a changed timeout applies to the running process at once", () => {
  const { api, spawn, dog, clock, missed } = setup("restart", 10_000, 60_000);
  spawn();
  dog.beat("kiosk");
  const shorter = resolvedConfig([
    resolvedJob("kiosk", ["x"], {
      heartbeat: { timeoutMs: 500, startupTimeoutMs: 60_000, action: "restart" },
    }),
  ]);
  api.setConfig(shorter);
  dog.apply(shorter);
  clock.advance(500);
  equal(missed.length, 1);
});

Deno.test("close cancels every timer and ignores later events", () => {
  const { spawn, dog, clock, missed } = setup();
  spawn();
  dog.close();
  equal(clock.pending, 0);
  spawn("kiosk", 300);
  clock.advance(100_000);
  equal(missed.length, 0);
});

Deno.test("a stall of sup gives every heartbeat deadline a fresh grace period instead of firing", () => {
  const config = resolvedConfig([
    resolvedJob("kiosk", ["x"], {
      heartbeat: { timeoutMs: 1000, startupTimeoutMs: 3000, action: "restart" },
    }),
    resolvedJob("slow", ["x"], {
      heartbeat: { timeoutMs: 1000, startupTimeoutMs: 3000, action: "restart" },
    }),
  ]);
  const clock = new FakeClock();
  const api = new RecordingApi(config, clock);
  const stall = new StallDetector({ bus: api.bus, clock });
  const dog = new HeartbeatWatchdog(api, { clock, stall });
  dog.apply(config);
  const missed: SupEvent[] = [];
  api.bus.on("heartbeat.missed", (e) => missed.push(e));
  const stalls: SupEvent[] = [];
  api.bus.on("sup.stalled", (e) => stalls.push(e));
  api.spawned("kiosk", 100);
  api.spawned("slow", 101); // never beats: its startup deadline is at +3000
  dog.beat("kiosk");
  clock.advance(300);
  dog.beat("kiosk");
  clock.jump(10_000); // SIGSTOP for 10 s: every deadline is long past when sup runs again
  equal(stalls.length, 1);
  deepStrictEqual(missed, [], "no miss blamed on the jobs");
  deepStrictEqual(api.actions.filter((a) => a.method !== "markReady"), []);
  for (let i = 0; i < 3; i++) {
    clock.advance(900);
    dog.beat("kiosk"); // the app's beats resume within the grace period
  }
  clock.advance(300);
  deepStrictEqual(missed.map((e) => (e as { job: string }).job), ["slow"], "a fresh startup grace");
  equal((missed[0] as { at: number }).at, (stalls[0] as { at: number }).at + 3000);
  clock.advance(1_000);
  deepStrictEqual(
    missed.map((e) => (e as { job: string }).job),
    ["slow", "kiosk"],
    "after the grace period a silent job is missed again",
  );
  stall.close();
  dog.close();
});
