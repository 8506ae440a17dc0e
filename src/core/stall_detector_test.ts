import { deepStrictEqual, equal } from "node:assert/strict";
import { EventBus } from "./event_bus.ts";
import type { SupEvent } from "./events.ts";
import { StallDetector } from "./stall_detector.ts";
import { FakeClock } from "../testing/fake_clock.ts";

function setup(monotonic?: () => number) {
  const bus = new EventBus();
  const clock = new FakeClock();
  const stalls: SupEvent[] = [];
  bus.on("sup.stalled", (e) => stalls.push(e));
  const detector = new StallDetector({
    bus,
    clock,
    intervalMs: 500,
    thresholdMs: 1000,
    monotonic: monotonic ?? (() => clock.now()),
  });
  return { clock, detector, stalls };
}

Deno.test("a sup whose timers run on time reports no stall, with one timer", () => {
  const { clock, detector, stalls } = setup();
  for (let i = 0; i < 1000; i++) clock.advance(37);
  equal(detector.check(), 0);
  deepStrictEqual(stalls, []);
  equal(clock.pending, 1);
  detector.close();
  equal(clock.pending, 0);
});

Deno.test("a timer that fires late by more than the threshold emits sup.stalled once", () => {
  const { clock, stalls } = setup();
  clock.advance(600); // ticked at +500
  clock.jump(5_000); // stopped for 5 s: the tick due at +1000 runs at +5600
  deepStrictEqual(stalls, [{ type: "sup.stalled", stalledMs: 4_600, at: clock.now() }]);
  clock.advance(10_000);
  equal(stalls.length, 1, "reported once");
  clock.jump(1_400); // late by 1000 or less: ordinary event-loop lag
  equal(stalls.length, 1);
});

/** Clocks moved by hand; the detector's timer never runs on its own. */
function handClocks() {
  const t = { wall: 1_000_000, mono: 0 };
  const bus = new EventBus();
  const stalls: number[] = [];
  bus.on("sup.stalled", (e) => stalls.push(e.stalledMs));
  const clock = { now: () => t.wall, setTimeout: () => 1, clearTimeout: () => {} };
  const detector = new StallDetector({ bus, clock, monotonic: () => t.mono });
  return { t, detector, stalls };
}

Deno.test("check() finds a stall before the detector's own timer runs, and reports it once", () => {
  const { t, detector, stalls } = handClocks();
  t.wall += 8_000; // SIGSTOP: both clocks move
  t.mono += 8_000;
  equal(detector.check(), 7_500);
  equal(detector.check(), 0, "reported once");
  deepStrictEqual(stalls, [7_500]);
});

Deno.test("a suspend (wall clock moves, monotonic does not) is a stall; a clock set back is not", () => {
  const { t, detector, stalls } = handClocks();
  t.wall += 30_000; // suspended: CLOCK_MONOTONIC did not count it
  equal(detector.check(), 29_500);
  t.wall -= 3_600_000; // the clock set back an hour
  t.mono += 100;
  equal(detector.check(), 0);
  t.wall += 400;
  t.mono += 400;
  equal(detector.check(), 0, "counting restarts from the new time");
  deepStrictEqual(stalls, [29_500]);
});
