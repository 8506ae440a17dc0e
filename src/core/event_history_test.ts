import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { EventBus } from "./event_bus.ts";
import { approxChars, EventHistory } from "./event_history.ts";

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
  equal(bus.hasListeners("app.message"), false);
  equal(bus.hasListeners("job.exited"), true);
  bus.emit({ type: "job.output", job: "a", stream: "stdout", line: "x", at: 1 });
  deepStrictEqual(history.recent(), []);
  history.close();
  equal(bus.hasListeners("job.exited"), false);
});

Deno.test("event history rejects a capacity below 1", () => {
  throws(() => new EventHistory(new EventBus(), 0), /whole number >= 1, got 0/);
});

Deno.test("event history is bounded by size too: a few big app log lines do not hold megabytes", () => {
  const bus = new EventBus();
  const history = new EventHistory(bus, 1000, 100_000);
  const data = "x".repeat(30_000);
  for (let i = 0; i < 10; i++) {
    bus.emit({ type: "app.log", job: "a", level: "info", message: data, at: i });
  }
  equal(history.size, 3, "three 30 K lines fit in 100 K characters");
  deepStrictEqual(history.recent().map((e) => e.at), [7, 8, 9]);
  bus.emit(spawned("small", 10));
  equal(history.recent().at(-1)?.at, 10);
  equal(approxChars({ a: "xyz", b: [1, "de"] }, 1_000), 1 + 4 + 5 + 1 + 4 + 2 + 8 + 4);
});

Deno.test("an app flooding logs or events keeps at most its share a second in the history", () => {
  const bus = new EventBus();
  const history = new EventHistory(bus, 1000);
  const log = (job: string, at: number) =>
    bus.emit({ type: "app.log", job, level: "info", message: "x", at });
  for (let i = 0; i < 500; i++) log("noisy", 5_000 + i); // 500 in one second
  log("quiet", 5_500);
  bus.emit({ type: "sup.stalled", stalledMs: 1, at: 5_600 });
  for (let i = 0; i < 5; i++) log("noisy", 6_000 + i); // the next second
  const kept = history.recent();
  equal(kept.filter((e) => e.type === "app.log" && e.job === "noisy").length, 25);
  equal(kept.filter((e) => e.type === "app.log" && e.job === "quiet").length, 1);
  equal(kept.filter((e) => e.type === "sup.stalled").length, 1);
  equal(history.dropped, 480);
  history.close();
});
