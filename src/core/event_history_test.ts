import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { EventBus } from "./event_bus.ts";
import { EventHistory } from "./event_history.ts";

const spawned = (job: string, at: number) => ({
  type: "job.spawned" as const,
  job,
  pid: 1,
  argv: ["x"],
  at,
});

Deno.test("event history keeps the last events in order, and filters by time", () => {
  const bus = new EventBus();
  const history = new EventHistory(bus, 3);
  for (let i = 1; i <= 5; i++) bus.emit(spawned(`j${i}`, i * 10));
  deepStrictEqual(history.recent().map((e) => e.at), [30, 40, 50]);
  deepStrictEqual(history.recent(2).map((e) => e.at), [40, 50]);
  deepStrictEqual(history.recent(10, 45).map((e) => e.at), [50]);
  deepStrictEqual(history.recent(0), []);
  history.close();
  bus.emit(spawned("late", 60));
  equal(history.recent().length, 3);
});

Deno.test("event history leaves job output and ticks alone (they stay listener-free)", () => {
  const bus = new EventBus();
  const history = new EventHistory(bus);
  equal(bus.hasListeners("job.output"), false);
  equal(bus.hasListeners("tick.5"), false);
  equal(bus.hasListeners("job.exited"), true);
  bus.emit({ type: "job.output", job: "a", stream: "stdout", line: "x", at: 1 });
  deepStrictEqual(history.recent(), []);
  history.close();
  equal(bus.hasListeners("job.exited"), false);
});

Deno.test("event history rejects a capacity below 1", () => {
  throws(() => new EventHistory(new EventBus(), 0), /whole number >= 1, got 0/);
});
