import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { ResolvedHealth } from "../config/health_section.ts";
import type { EventOf } from "../core/events.ts";
import { StallDetector } from "../core/stall_detector.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { RecordingApi } from "../testing/recording_api.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { HealthWatchdog } from "./health.ts";
import type { HealthCheckRunner, ProbeResult } from "./health_check.ts";

/** What the fake check answers: at once, after some fake time, or never (until aborted). */
type Answer = ProbeResult | { after: number; result: ProbeResult } | "hang";

const PASS: ProbeResult = { ok: true };
const fail = (reason: string): ProbeResult => ({ ok: false, reason });

function setup(health: Partial<ResolvedHealth> = {}, stall = false) {
  const resolved: ResolvedHealth = {
    check: { kind: "tcp", host: "127.0.0.1", port: 9 },
    intervalMs: 1000,
    timeoutMs: 300,
    failures: 3,
    startPeriodMs: 0,
    action: "restart",
    ...health,
  };
  const config = resolvedConfig([
    resolvedJob("web", ["x"], { health: resolved }),
    resolvedJob("plain", ["x"]),
  ]);
  const clock = new FakeClock();
  const api = new RecordingApi(config, clock);
  const answers: Answer[] = [];
  const started: number[] = [];
  let active = 0;
  let maxActive = 0;
  const aborted: string[] = [];
  const runCheck: HealthCheckRunner = (_check, job, signal) => {
    equal(job.name, "web");
    started.push(clock.now());
    active++;
    maxActive = Math.max(maxActive, active);
    const answer = answers.shift() ?? PASS;
    return new Promise<ProbeResult>((resolve) => {
      const done = (result: ProbeResult) => {
        active--;
        resolve(result);
      };
      signal.addEventListener("abort", () => {
        aborted.push(String((signal.reason as Error).message));
        done(fail("aborted"));
      });
      if (answer === "hang") return;
      if ("after" in answer) clock.setTimeout(() => done(answer.result), answer.after);
      else queueMicrotask(() => done(answer));
    });
  };
  const detector = stall ? new StallDetector({ bus: api.bus, clock }) : undefined;
  const dog = new HealthWatchdog(api, { clock, runCheck, stall: detector });
  dog.apply(config);
  const failed: EventOf<"health.failed">[] = [];
  const recovered: EventOf<"health.recovered">[] = [];
  api.bus.on("health.failed", (e) => failed.push(e));
  api.bus.on("health.recovered", (e) => recovered.push(e));
  /** Moves fake time on in 10 ms steps, letting check promises settle between steps. */
  const pass = async (ms: number) => {
    for (let t = 0; t < ms; t += 10) {
      clock.advance(10);
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
  };
  const acts = () => api.actions.filter((a) => a.method !== "markReady");
  const readies = () => api.actions.filter((a) => a.method === "markReady").length;
  return {
    api,
    clock,
    dog,
    answers,
    started,
    aborted,
    failed,
    recovered,
    pass,
    acts,
    readies,
    detector,
    maxActive: () => maxActive,
  };
}

Deno.test("the first passing check marks the run ready, once per run", async () => {
  const t = setup();
  t.api.spawned("web", 100);
  t.api.spawned("plain", 200);
  await t.pass(150);
  equal(t.readies(), 1);
  equal(t.api.runs.current("web")?.readyAt !== null, true);
  await t.pass(5000);
  equal(t.readies(), 1, "later passes do not mark it again");
  deepStrictEqual(t.dog.checking(), ["web"], "jobs without health are not checked");
  t.api.exited("web", 100);
  t.api.spawned("web", 101);
  await t.pass(150);
  equal(t.readies(), 2);
  t.dog.close();
});

Deno.test("until the first pass in the start period, checks come sooner: 100 ms, then doubling up to 1 s", async () => {
  const t = setup({ startPeriodMs: 5000, intervalMs: 3000 });
  for (let i = 0; i < 8; i++) t.answers.push(fail("connection refused"));
  t.api.spawned("web", 100);
  const t0 = t.clock.now();
  await t.pass(4000);
  deepStrictEqual(t.started.map((at) => at - t0), [100, 300, 700, 1500, 2500, 3500]);
  deepStrictEqual(t.failed, [], "failures in the start period do not count");
  deepStrictEqual(t.acts(), []);
  t.dog.close();
});

Deno.test("failures after the start period count; the action comes after `failures` in a row", async () => {
  const t = setup({ failures: 3, intervalMs: 1000 });
  t.api.spawned("web", 100);
  await t.pass(150); // ready
  t.answers.push(fail("status 500 (expected 2xx or 3xx)"), fail("connection refused"));
  t.answers.push(fail('body does not contain "ok"'));
  await t.pass(3000);
  deepStrictEqual(t.failed.map((e) => [e.failures, e.reason, e.check]), [
    [1, "status 500 (expected 2xx or 3xx)", "tcp"],
    [2, "connection refused", "tcp"],
    [3, 'body does not contain "ok"', "tcp"],
  ]);
  const acts = t.acts();
  equal(acts.length, 1);
  equal(acts[0].method, "restart");
  equal(acts[0].reason?.source, "health");
  ok(acts[0].reason?.detail?.includes("failed 3 times in a row"), acts[0].reason?.detail);
  deepStrictEqual(t.dog.checking(), [], "the run it acted on is not checked again");
  t.api.stopping("web", 100);
  t.api.spawned("web", 101);
  deepStrictEqual(t.dog.checking(), ["web"], "the next run is");
  t.dog.close();
});

Deno.test("a pass after failures is a recovery and resets the count", async () => {
  const t = setup({ failures: 3 });
  t.api.spawned("web", 100);
  await t.pass(150);
  t.answers.push(fail("a"), fail("b"), PASS, fail("c"), fail("d"));
  await t.pass(5000);
  deepStrictEqual(t.recovered.map((e) => e.failures), [2]);
  deepStrictEqual(t.failed.map((e) => e.failures), [1, 2, 1, 2]);
  deepStrictEqual(t.acts(), []);
  t.dog.close();
});

Deno.test("a hung check fails at its timeout, is aborted, and checks never overlap", async () => {
  const t = setup({ failures: 2, timeoutMs: 300, intervalMs: 1000 });
  t.api.spawned("web", 100);
  await t.pass(150);
  t.answers.push("hang", "hang");
  const before = t.clock.now();
  await t.pass(2500);
  deepStrictEqual(t.failed.map((e) => e.reason), ["timeout after 300ms", "timeout after 300ms"]);
  deepStrictEqual(t.aborted, ["timeout after 300ms", "timeout after 300ms"]);
  equal(t.maxActive(), 1);
  const restart = t.api.actions.findIndex((a) => a.method === "restart");
  ok(restart >= 0);
  // Acted on at the second timeout: 1 s interval after the ready check, + 1 s, + 300 ms.
  const second = t.failed[1].at - before;
  ok(second <= 2 * 1000 + 300, `second failure after ${second}ms`);
  t.dog.close();
});

Deno.test("a slow check delays the next one: the next starts after it ended", async () => {
  const t = setup({ intervalMs: 200, timeoutMs: 5000 });
  t.api.spawned("web", 100);
  await t.pass(150);
  t.answers.push({ after: 700, result: PASS });
  await t.pass(1500);
  equal(t.maxActive(), 1);
  const gaps = t.started.slice(1).map((at, i) => at - t.started[i]);
  ok(gaps.some((gap) => gap >= 700), `gaps ${gaps}`);
  t.dog.close();
});

Deno.test("checks end with the run: the check in flight is aborted and ignored", async () => {
  const t = setup({ failures: 1, timeoutMs: 5000 });
  t.api.spawned("web", 100);
  await t.pass(150);
  t.answers.push("hang");
  await t.pass(1000);
  t.api.exited("web", 100);
  await t.pass(10_000);
  deepStrictEqual(t.aborted, ["the run ended"]);
  deepStrictEqual(t.failed, []);
  deepStrictEqual(t.acts(), []);
  t.dog.close();
});

Deno.test("actions kill, reboot and none go through the supervisor's path with reason health", async () => {
  for (const action of ["kill", "reboot", "none"] as const) {
    const t = setup({ failures: 1, action });
    t.api.spawned("web", 100);
    await t.pass(150);
    t.answers.push(fail("exit code 1"), fail("exit code 2"));
    await t.pass(2100);
    const acts = t.acts();
    if (action === "kill") {
      deepStrictEqual(acts.map((a) => [a.method, a.signal, a.reason?.source]), [
        ["signal", "SIGKILL", "health"],
      ]);
    } else if (action === "reboot") {
      deepStrictEqual(acts.map((a) => a.method), ["reboot"]);
      ok(acts[0].reason?.detail?.startsWith('job "web" (pid 100): '), acts[0].reason?.detail);
      ok(acts[0].reason?.detail?.includes("exit code 1"), acts[0].reason?.detail);
    } else {
      deepStrictEqual(acts, []);
      deepStrictEqual(t.failed.map((e) => e.failures), [1, 2], "none keeps reporting");
    }
    t.dog.close();
  }
});

Deno.test("a stall drops the check in flight instead of blaming the job", async () => {
  const t = setup({ failures: 1, timeoutMs: 500 }, true);
  t.api.spawned("web", 100);
  await t.pass(150);
  t.answers.push("hang");
  await t.pass(1000); // the hung check is in flight
  t.clock.jump(60_000); // sup was stopped for a minute: the timeout fires late
  for (let i = 0; i < 10; i++) await Promise.resolve();
  deepStrictEqual(t.failed, []);
  deepStrictEqual(t.aborted, ["sup stalled"]);
  deepStrictEqual(t.acts(), []);
  await t.pass(1500);
  ok(t.started.length >= 3, "checks go on after the stall");
  deepStrictEqual(t.acts(), []);
  t.detector?.close();
  t.dog.close();
});

Deno.test("a config without the job's health stops its checks; one with it adopts the run going on", async () => {
  const t = setup();
  t.api.spawned("web", 100);
  await t.pass(150);
  const without = resolvedConfig([resolvedJob("web", ["x"])]);
  t.api.setConfig(without);
  t.dog.apply(without);
  deepStrictEqual(t.dog.checking(), []);
  const count = t.started.length;
  await t.pass(3000);
  equal(t.started.length, count);
  t.dog.close();
  equal(t.clock.pending, 0, "no timer left after close");
});
