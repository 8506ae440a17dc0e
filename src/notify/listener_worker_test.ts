import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { SupEvent } from "../core/events.ts";
import { until } from "../testing/wait.ts";
import { type ListenerProblem, ListenerWorker, SLICE_MS } from "./listener_worker.ts";

const tick = (at: number): SupEvent => ({ type: "tick.5", at });

function worker(
  handle: (event: SupEvent) => void | Promise<void>,
  options: { timeoutMs?: number; queueSize?: number } = {},
) {
  const reports: [ListenerProblem, string][] = [];
  const w = new ListenerWorker({ handle }, {
    timeoutMs: options.timeoutMs ?? 1000,
    queueSize: options.queueSize ?? 1000,
    report: (problem, message) => reports.push([problem, message]),
  });
  return { w, reports };
}

Deno.test("events reach the listener in order, never inside push", async () => {
  const seen: number[] = [];
  const { w } = worker((e) => void seen.push(e.at));
  for (let i = 0; i < 5; i++) w.push(tick(i));
  deepStrictEqual(seen, [], "push only queues");
  ok(await w.idle(1000));
  deepStrictEqual(seen, [0, 1, 2, 3, 4]);
  equal(w.stats().handled, 5);
});

Deno.test("a listener that throws or rejects is reported and the next event goes on", async () => {
  const seen: number[] = [];
  const { w, reports } = worker(async (e) => {
    seen.push(e.at);
    if (e.at === 0) throw new Error("boom");
    if (e.at === 1) await Promise.reject(new Error("nope"));
  });
  const sync = worker((e) => {
    if (e.at === 0) throw new TypeError("sync boom");
  });
  for (let i = 0; i < 3; i++) w.push(tick(i));
  sync.w.push(tick(0));
  sync.w.push(tick(1));
  ok(await w.idle(1000));
  ok(await sync.w.idle(1000));
  deepStrictEqual(seen, [0, 1, 2]);
  deepStrictEqual(reports, [
    ["threw", 'rejected on "tick.5": boom'],
    ["threw", 'rejected on "tick.5": nope'],
  ]);
  deepStrictEqual(sync.reports, [["threw", 'threw on "tick.5": sync boom']]);
  equal(w.stats().threw, 2);
});

Deno.test("a call that never settles is abandoned at the timeout; the next event goes on", async () => {
  const seen: number[] = [];
  const { w, reports } = worker((e) => {
    seen.push(e.at);
    if (e.at === 0) return new Promise<void>(() => {});
  }, { timeoutMs: 50 });
  const start = Date.now();
  w.push(tick(0));
  w.push(tick(1));
  ok(await w.idle(2000));
  const took = Date.now() - start;
  ok(took >= 45 && took < 1000, `took ${took} ms`);
  deepStrictEqual(seen, [0, 1]);
  deepStrictEqual(reports.map(([p]) => p), ["timeout"]);
  ok(reports[0][1].includes("did not settle within 50 ms"));
  equal(w.stats().timeouts, 1);
});

Deno.test("a full queue drops its oldest events, counts and reports each drop", async () => {
  const seen: number[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const { w, reports } = worker(async (e) => {
    seen.push(e.at);
    if (e.at === 0) await gate;
  }, { queueSize: 3 });
  w.push(tick(0));
  await until(() => seen.length === 1, "the first call", 1000);
  for (let i = 1; i <= 6; i++) w.push(tick(i));
  equal(w.stats().queued, 3);
  equal(w.stats().dropped, 3);
  release();
  ok(await w.idle(1000));
  deepStrictEqual(seen, [0, 4, 5, 6]);
  deepStrictEqual(reports.map(([p]) => p), ["overflow", "overflow", "overflow"]);
});

Deno.test("a synchronous listener that blocks past its timeout is reported", async () => {
  const { w, reports } = worker(() => {
    const end = performance.now() + 30;
    while (performance.now() < end) { /* busy */ }
  }, { timeoutMs: 10 });
  w.push(tick(0));
  ok(await w.idle(1000));
  equal(reports.length, 1);
  ok(reports[0][1].includes("without giving the event loop back"), reports[0][1]);
});

Deno.test("a busy listener lets timers run every few milliseconds", async () => {
  const { w } = worker(() => {
    const end = performance.now() + 1;
    while (performance.now() < end) { /* 1 ms of work per event */ }
  });
  for (let i = 0; i < 200; i++) w.push(tick(i));
  // While the 200 ms of work drains, a 1 ms timer keeps firing (the drain
  // yields every SLICE_MS); without yields it would fire once, at the end.
  const lags: number[] = [];
  while (w.stats().handled < 200) {
    const asked = performance.now();
    await new Promise((r) => setTimeout(r, 1));
    lags.push(performance.now() - asked);
  }
  ok(await w.idle(5000));
  ok(lags.length >= 10, `the timer fired ${lags.length} times during the drain`);
  const median = lags.sort((a, b) => a - b)[Math.floor(lags.length / 2)];
  ok(median < SLICE_MS + 15, `a timer waited ${median.toFixed(1)} ms (median)`);
});

Deno.test("stop drops what waits and takes nothing more", async () => {
  const seen: number[] = [];
  const { w } = worker((e) => void seen.push(e.at));
  w.push(tick(0));
  w.stop();
  w.push(tick(1));
  ok(await w.idle(1000));
  deepStrictEqual(seen, []);
});
