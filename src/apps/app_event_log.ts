/**
 * Writes what apps send sup into sup's log: `app.log` lines under
 * `["sup","app",<job>]` at the app's level, `app.event`s, and registrations.
 * The event logger leaves app events to their owner; this is it.
 *
 * @module
 */

import { getLogger, type LogLevel } from "@logtape/logtape";
import type { EventBus, Unsubscribe } from "../core/event_bus.ts";

const LEVELS: Record<string, LogLevel> = {
  trace: "debug",
  debug: "debug",
  info: "info",
  notice: "info",
  warn: "warning",
  warning: "warning",
  error: "error",
  fatal: "fatal",
  critical: "fatal",
};

/** Logs app logs, app events and (un)registrations from `bus`; returns the unsubscriber. */
export function logAppEvents(bus: EventBus): Unsubscribe {
  const offs = [
    bus.on("app.log", (e) => {
      const level = LEVELS[e.level.toLowerCase()] ?? "info";
      getLogger(["sup", "app", e.job ?? "-"])[level]("{message}", { message: e.message });
    }),
    bus.on("app.event", (e) => {
      getLogger(["sup", "app", e.job ?? "-"]).info(
        "Event {category}/{action} label={label} value={value}",
        { category: e.category, action: e.action, label: e.label, value: e.value },
      );
    }),
    bus.on("app.registered", (e) => {
      getLogger(["sup", "apps"]).info(
        "App {name} registered as {id} (pid {pid}, timeout {timeoutMs}ms)",
        { name: e.name, id: e.id, pid: e.pid, timeoutMs: e.timeoutMs },
      );
    }),
    bus.on("app.unregistered", (e) => {
      getLogger(["sup", "apps"]).info("App {name} ({id}) unregistered", { name: e.name, id: e.id });
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
