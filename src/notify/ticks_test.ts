import { deepStrictEqual, equal } from "node:assert/strict";
import type { SupEvent } from "../core/events.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { Ticks } from "./ticks.ts";

function ticks(start: number) {
  const clock = new FakeClock(start);
  const seen: SupEvent[] = [];
  return { clock, seen, ticks: new Ticks((e) => seen.push(e), clock) };
}

Deno.test("ticks fire at multiples of their period, only the types wanted", () => {
  const t = ticks(1_000_002_000); // 2 s past a multiple of 5 s and of 60 s
  t.ticks.want(["tick.5", "job.exited"]);
  equal(t.clock.pending, 1);
  t.clock.advance(2_999);
  equal(t.seen.length, 0);
  t.clock.advance(1);
  deepStrictEqual(t.seen, [{ type: "tick.5", at: 1_000_005_000 }]);
  t.clock.advance(10_000);
  deepStrictEqual(t.seen.map((e) => e.at), [1_000_005_000, 1_000_010_000, 1_000_015_000]);
});

Deno.test("no listener of a tick, no timer; wanting fewer stops the others", () => {
  const t = ticks(1_000_000_000);
  t.ticks.want([]);
  equal(t.clock.pending, 0);
  t.ticks.want(["tick.5", "tick.60", "tick.3600"]);
  equal(t.clock.pending, 3);
  t.ticks.want(["tick.60"]);
  equal(t.clock.pending, 1);
  deepStrictEqual(t.ticks.active, ["tick.60"]);
  t.clock.advance(120_000);
  deepStrictEqual(t.seen.map((e) => e.type), ["tick.60", "tick.60"]);
  t.ticks.close();
  equal(t.clock.pending, 0);
});

Deno.test("ticks missed during a stall are not made up for", () => {
  const t = ticks(1_000_000_000);
  t.ticks.want(["tick.5"]);
  t.clock.jump(60_000);
  deepStrictEqual(t.seen.map((e) => e.type), ["tick.5"]);
  t.clock.advance(5_000);
  deepStrictEqual(t.seen.map((e) => e.at), [1_000_060_000, 1_000_065_000]);
});
