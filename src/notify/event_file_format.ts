/**
 * The lines of the event log file (`logging.events`): which events it
 * holds and how each becomes one tab-separated line. Pure, so tests check
 * the exact text.
 *
 * Columns: `time` (local, ISO 8601 with its offset), `job`, `event` (the
 * event's type), then ampm's `category`, `action`, `label`, `value` for app
 * events, and `detail`, a sentence, for the rest. A tab, newline, carriage
 * return or backslash inside a field is written `\t`, `\n`, `\r`, `\\`, so
 * every line is one event and every field is in its column.
 *
 * @module
 */

import type { SupEvent } from "../core/events.ts";
import { because } from "../core/machine.ts";
export { LIFECYCLE_EVENTS } from "./event_file_early.ts";

/** The header line (without its newline). */
export const EVENT_FILE_HEADER = [
  "time",
  "job",
  "event",
  "category",
  "action",
  "label",
  "value",
  "detail",
].join("\t");

/** Escapes one field: backslash, tab, newline and carriage return. */
export function escapeField(text: string): string {
  return text.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]);
}

const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** Local date `YYYY-MM-DD` of `ms` (what `{date}` becomes). */
export function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Local time of `ms` as ISO 8601 with milliseconds and the UTC offset, e.g. `2026-12-02T10:15:03.120+01:00`. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  return `${localDate(ms)}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${
    String(d.getMilliseconds()).padStart(3, "0")
  }${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The line for `event` (without its newline), or null for an event the file does not hold. */
export function eventLine(event: SupEvent): string | null {
  const fields = columns(event);
  if (fields === null) return null;
  const [job, category, action, label, value, detail] = fields;
  return [localTime(event.at), job, event.type, category, action, label, value, detail]
    .map((field) => escapeField(field))
    .join("\t");
}

type Columns = [
  job: string,
  category: string,
  action: string,
  label: string,
  value: string,
  detail: string,
];

/** The columns after `time` and `event`, for the events the file holds. */
function columns(event: SupEvent): Columns | null {
  const row = (job: string, detail: string): Columns => [job, "", "", "", "", detail];
  switch (event.type) {
    case "app.event":
      return [
        event.job ?? "",
        event.category,
        event.action,
        event.label ?? "",
        event.value === null ? "" : String(event.value),
        "",
      ];
    case "job.spawned":
      return row(event.job, `pid ${event.pid}: ${event.argv.join(" ")}`);
    case "job.ready":
      return row(event.job, `pid ${event.pid}, ready by ${event.by}`);
    case "job.exited": {
      const how = event.signal ? `killed by ${event.signal}` : `exited with code ${event.code}`;
      const expected = event.expected ? "asked for by sup" : "unexpected";
      return row(event.job, `pid ${event.pid} ${how} after ${event.uptimeMs}ms (${expected})`);
    }
    case "job.action":
      return row(event.job, `${event.action} [${because(event.reason)}]`);
    case "job.backoff":
      return row(event.job, `retry ${event.retries} in ${event.delayMs}ms`);
    case "job.fatal":
    case "job.spawnFailed":
      return row(event.job, event.message);
    case "job.signaled":
      return row(
        event.job,
        `${event.signal} to process group ${event.pid} [${because(event.reason)}]`,
      );
    case "heartbeat.missed":
      return row(event.job, `no heartbeat for ${event.timeoutMs}ms`);
    case "health.failed":
      return row(
        event.job,
        `${event.check} check failed (${event.failures} in a row): ${event.reason}`,
      );
    case "health.recovered":
      return row(event.job, `${event.check} check passed after ${event.failures} failures`);
    case "machine.action":
      return row(
        "",
        `${event.action} [${because(event.reason)}] running ${event.command.join(" ")}`,
      );
    case "machine.refused":
      return row("", `${event.message} [${because(event.reason)}]`);
    case "sup.started":
      return row("", `sup ${event.pid} running ${event.config}`);
    case "sup.stopped":
      return row("", "sup stopped");
    default:
      return null;
  }
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
