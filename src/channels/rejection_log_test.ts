import { deepStrictEqual, equal } from "node:assert/strict";
import { EventBus } from "../core/event_bus.ts";
import type { SupEvent } from "../core/events.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { RejectionLog } from "./rejection_log.ts";

Deno.test("refusals are all counted but reported once per reason per interval", () => {
  const bus = new EventBus();
  const events: SupEvent[] = [];
  bus.on("channel.rejected", (e) => events.push(e));
  const clock = new FakeClock();
  const log = new RejectionLog("osc", bus, 5000, clock);
  for (let i = 0; i < 100; i++) log.report("not-osc", "random bytes");
  log.report("truncated", "short");
  deepStrictEqual(log.counts(), { "not-osc": 100, "truncated": 1 });
  equal(log.total(), 101);
  equal(events.length, 2);
  clock.advance(5000);
  log.report("not-osc", "random bytes");
  equal(events.length, 3);
  const last = events[2];
  equal(
    last.type === "channel.rejected" && last.reason,
    "not-osc: random bytes (and 99 more since the last report)",
  );
});
