import { deepStrictEqual, equal } from "node:assert/strict";
import { EventBus } from "./event_bus.ts";
import type { SupEvent } from "./events.ts";
import { StallDetector } from "./stall_detector.ts";
import { FakeClock } from "../testing/fake_clock.ts";

function setup() {
  const bus = new EventBus();
  const clock = new FakeClock();
  const stalls: SupEvent[] = [];
  bus.on("sup.stalled", (e) => stalls.push(e));
  const detector = new StallDetector({ bus, clock, intervalMs: 500, thresholdMs: 1000 });
  return { clock, detector, stalls };
}

Deno.test("a sup whose timers run on time reports no stall, with one timer", () => {
  const { clock, detector, stalls } = setup();
  for (let i = 0; i < 1000; i++) clock.advance(37);
  equal(detector.check(clock.now() - 200), 0, "a timer 200 ms late is ordinary lag");
  deepStrictEqual(stalls, []);
  equal(clock.pending, 1);
  detector.close();
  equal(clock.pending, 0);
});

Deno.test("the detector's own timer firing late by more than the threshold emits sup.stalled once", () => {
  const { clock, stalls } = setup();
  clock.advance(600); // ticked at +500
  clock.jump(5_000); // stopped for 5 s: the tick due at +1000 runs at +5600
  deepStrictEqual(stalls, [{ type: "sup.stalled", stalledMs: 4_600, at: clock.now() }]);
  clock.advance(10_000);
  equal(stalls.length, 1, "reported once");
  clock.jump(1_400); // late by 1000 or less: ordinary event-loop lag
  equal(stalls.length, 1);
});

/** A wall clock moved by hand; the detector's timer never runs on its own. */
function handClock() {
  const t = { wall: 1_000_000 };
  const bus = new EventBus();
  const stalls: number[] = [];
  bus.on("sup.stalled", (e) => stalls.push(e.stalledMs));
  const clock = { now: () => t.wall, setTimeout: () => 1, clearTimeout: () => {} };
  const detector = new StallDetector({ bus, clock });
  return { t, detector, stalls };
}

Deno.test("a watchdog's late timer finds the stall first; the others due in it do not report it again", () => {
  const { t, detector, stalls } = handClock();
  const due = t.wall + 300;
  t.wall += 8_000; // SIGSTOP (or a suspend: the wall clock counts both)
  equal(detector.check(due), 7_700);
  equal(detector.check(due + 100), 7_600, "another timer late by the same stall");
  deepStrictEqual(stalls, [7_700], "reported once");
  // A later stall is a new one.
  const next = t.wall + 1_000;
  t.wall += 5_000;
  equal(detector.check(next), 4_000);
  deepStrictEqual(stalls, [7_700, 4_000]);
});

Deno.test("a clock set back makes timers early, never a stall", () => {
  const { t, detector, stalls } = handClock();
  const due = t.wall + 1_000;
  t.wall -= 3_600_000;
  equal(detector.check(due), 0);
  deepStrictEqual(stalls, []);
});
