import { deepStrictEqual, equal } from "node:assert/strict";
import {
  clearLongTimeout,
  MAX_TIMER_MS,
  setLongTimeout,
  type TimerFunctions,
} from "./long_timeout.ts";
import { JobTimers } from "./job_timers.ts";
import { realClock } from "./clock.ts";
import { bounded as boundedWait } from "./stop_order.ts";

/** Runtime timers that record their delays and fire when the test says. */
function recordingTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const timers: TimerFunctions = {
    setTimeout: (fn, ms) => {
      pending.set(next, { fn, ms });
      return next++;
    },
    clearTimeout: (id) => pending.delete(id as number),
  };
  /** Fires the one pending timer; returns the delay it was set for. */
  const fire = (): number => {
    const [[id, timer]] = [...pending];
    pending.delete(id);
    timer.fn();
    return timer.ms;
  };
  return { timers, pending, fire };
}

Deno.test("a timer within the runtime's limit is one runtime timer of that length", () => {
  const { timers, pending, fire } = recordingTimers();
  let fired = 0;
  setLongTimeout(() => fired++, 10_000, timers);
  equal(pending.size, 1);
  equal(fire(), 10_000);
  equal(fired, 1);
});

Deno.test("a 30-day timer chains runtime timers and fires once, after all 30 days", () => {
  const { timers, pending, fire } = recordingTimers();
  const thirtyDays = 30 * 86_400_000;
  let fired = 0;
  setLongTimeout(() => fired++, thirtyDays, timers);
  const delays: number[] = [];
  while (pending.size > 0) {
    equal(fired, 0);
    delays.push(fire());
  }
  equal(fired, 1);
  deepStrictEqual(delays, [MAX_TIMER_MS, thirtyDays - MAX_TIMER_MS]);
  equal(delays.every((ms) => ms <= MAX_TIMER_MS), true);
});

Deno.test("a chained timer cancelled between links never fires", () => {
  const { timers, pending, fire } = recordingTimers();
  let fired = 0;
  const handle = setLongTimeout(() => fired++, 3 * MAX_TIMER_MS, timers);
  fire();
  clearLongTimeout(handle, timers);
  equal(pending.size, 0);
  equal(fired, 0);
});

Deno.test("negative and NaN delays fire at once, like setTimeout's", () => {
  const { timers, fire } = recordingTimers();
  setLongTimeout(() => {}, -5, timers);
  equal(fire(), 0);
  setLongTimeout(() => {}, NaN, timers);
  equal(fire(), 0);
});

Deno.test("a real long timer can be cleared without firing", async () => {
  let fired = false;
  const handle = setLongTimeout(() => fired = true, 40 * 86_400_000);
  clearLongTimeout(handle);
  await new Promise((r) => setTimeout(r, 5));
  equal(fired, false);
});

Deno.test("sup's timers hold 30 days: the job timers, the real clock and the bounded wait", async () => {
  const thirtyDays = 30 * 86_400_000;
  const fired: string[] = [];
  const timers = new JobTimers((input) => fired.push(input.type));
  timers.set("kill", thirtyDays);
  timers.set("fatalRetry", thirtyDays);
  const clock = realClock.setTimeout(() => fired.push("clock"), thirtyDays);
  let bounded = false;
  let settle = () => {};
  const waiting = boundedWait(new Promise<void>((r) => settle = r), thirtyDays)
    .then(() => bounded = true);
  // setTimeout would fire all of these after 1 ms.
  await new Promise((r) => setTimeout(r, 30));
  deepStrictEqual(fired, []);
  equal(bounded, false);
  timers.clearAll();
  realClock.clearTimeout(clock);
  settle();
  await waiting;
});
