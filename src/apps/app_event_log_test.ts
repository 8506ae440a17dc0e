import { withLogRecords } from "../testing/log_capture.ts";
import { deepStrictEqual, equal } from "node:assert/strict";
import { EventBus } from "../core/event_bus.ts";
import { logAppEvents } from "./app_event_log.ts";

Deno.test("app logs, app events and registrations are written to sup's log under the app's category", () =>
  withLogRecords((records) => {
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
  }));

Deno.test("a flood of app lines and events is cut to the budget per job, then counted; long fields are clipped", () =>
  withLogRecords((records) => {
    const bus = new EventBus();
    let now = 0;
    const off = logAppEvents(bus, { linesPerSecond: 3, now: () => now });
    for (let i = 0; i < 1000; i++) {
      bus.emit({ type: "app.log", job: "kiosk", level: "info", message: `line ${i}`, at: now });
      bus.emit({
        type: "app.event",
        job: "kiosk",
        category: "c".repeat(5000),
        action: "tap",
        label: null,
        value: i,
        at: now,
      });
    }
    bus.emit({ type: "app.log", job: "other", level: "info", message: "x".repeat(9000), at: 0 });
    now = 1000;
    bus.emit({ type: "app.log", job: "kiosk", level: "info", message: "later", at: now });
    off();
    const messages = records.map((r) => r.properties.message).filter((m) => m !== undefined);
    deepStrictEqual(messages.slice(0, 3), ["line 0", "line 1", "line 2"]);
    equal(messages.at(-1), "later");
    equal((messages.at(-2) as string).length < 4200, true, "a 9000-character line is clipped");
    const skipped = records.filter((r) => r.properties.skipped !== undefined);
    deepStrictEqual(skipped.map((r) => r.properties.skipped), [997]);
    const events = records.filter((r) => r.properties.category !== undefined);
    equal(events.length, 3);
    equal((events[0].properties.category as string).length < 300, true);
    equal(records.length, 3 + 3 + 1 + 1 + 1);
  }));
