import { deepStrictEqual } from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { EventBus } from "../core/event_bus.ts";
import { logAppEvents } from "./app_event_log.ts";

Deno.test("app logs, app events and registrations are written to sup's log under the app's category", async () => {
  const records: LogRecord[] = [];
  await configure({
    sinks: { mem: (r) => records.push(r) },
    loggers: [{ category: ["sup"], sinks: ["mem"], lowestLevel: "debug" }],
    reset: true,
  });
  try {
    const bus = new EventBus();
    const off = logAppEvents(bus);
    const at = Date.now();
    bus.emit({ type: "app.log", job: "kiosk", level: "WARN", message: "lamp hot", at });
    bus.emit({ type: "app.log", job: null, level: "loud", message: "odd level", at });
    bus.emit({
      type: "app.event",
      job: "kiosk",
      category: "visitor",
      action: "tap",
      label: "slide-3",
      value: 7,
      at,
    });
    bus.emit({ type: "app.registered", id: "x1", name: "player", pid: null, timeoutMs: 500, at });
    off();
    bus.emit({ type: "app.log", job: "kiosk", level: "info", message: "after off", at });
    deepStrictEqual(
      records.map((r) => [r.category.join("."), r.level, r.properties]),
      [
        ["sup.app.kiosk", "warning", { message: "lamp hot" }],
        ["sup.app.-", "info", { message: "odd level" }],
        ["sup.app.kiosk", "info", {
          category: "visitor",
          action: "tap",
          label: "slide-3",
          value: 7,
        }],
        ["sup.apps", "info", { name: "player", id: "x1", pid: null, timeoutMs: 500 }],
      ],
    );
  } finally {
    await reset();
  }
});
