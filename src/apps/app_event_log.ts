/**
 * Writes what apps send sup into sup's log: `app.log` lines under
 * `["sup","app",<job>]` at the app's level, `app.event`s, and registrations.
 * The event logger leaves app events to their owner; this is it.
 *
 * Apps are not trusted to be quiet: each job writes at most `linesPerSecond`
 * app lines and events a second, registrations at most `registrationLines`
 * lines per 5 s; what is skipped is counted in one line when logging
 * resumes. Long fields are clipped (messages to 4096 characters, names and
 * ids to 100, event fields to 200).
 *
 * @module
 */

import { getLogger, type LogLevel } from "@logtape/logtape";
import type { EventBus, Unsubscribe } from "../core/event_bus.ts";
import { clip, LineLimiter } from "./line_limiter.ts";

/** Tuning of the app log. */
export interface AppEventLogOptions {
  /** App lines (and, apart, app events) per job per second. @default 50 */
  linesPerSecond?: number;
  /** Registration lines per 5 s. @default 20 */
  registrationLines?: number;
  /** @default Date.now */
  now?: () => number;
}

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
export function logAppEvents(bus: EventBus, options: AppEventLogOptions = {}): Unsubscribe {
  const now = options.now ?? Date.now;
  const perJob = new LineLimiter(1000, options.linesPerSecond ?? 50);
  const registrations = new LineLimiter(5000, options.registrationLines ?? 20);
  /** Whether a line of `key` may be written; says first how many were skipped. */
  const may = (limit: LineLimiter, key: string, logger: string[], what: string): boolean => {
    const skipped = limit.take(key, now());
    if (skipped === null) return false;
    if (skipped > 0) {
      getLogger(logger).warning("Skipped {skipped} {what} (too many)", { skipped, what });
    }
    return true;
  };
  const offs = [
    bus.on("app.log", (e) => {
      const job = e.job ?? "-";
      const category = ["sup", "app", job];
      if (!may(perJob, `log:${job}`, category, "app log lines")) return;
      const level = LEVELS[e.level.toLowerCase()] ?? "info";
      getLogger(category)[level]("{message}", { message: clip(e.message, 4096) });
    }),
    bus.on("app.event", (e) => {
      const job = e.job ?? "-";
      const category = ["sup", "app", job];
      if (!may(perJob, `event:${job}`, category, "app events")) return;
      getLogger(category).info(
        "Event {category}/{action} label={label} value={value}",
        {
          category: clip(e.category),
          action: clip(e.action),
          label: e.label === null ? null : clip(e.label),
          value: e.value,
        },
      );
    }),
    bus.on("app.registered", (e) => {
      if (!may(registrations, "registered", ["sup", "apps"], "registration lines")) return;
      getLogger(["sup", "apps"]).info(
        "App {name} registered as {id} (pid {pid}, timeout {timeoutMs}ms)",
        { name: clip(e.name, 100), id: clip(e.id, 100), pid: e.pid, timeoutMs: e.timeoutMs },
      );
    }),
    bus.on("app.unregistered", (e) => {
      if (!may(registrations, "unregistered", ["sup", "apps"], "unregistration lines")) return;
      getLogger(["sup", "apps"]).info("App {name} ({id}) unregistered", {
        name: clip(e.name, 100),
        id: clip(e.id, 100),
      });
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
