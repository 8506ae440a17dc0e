/**
 * How `sup logs` and `sup events` print what sup streams: one line per
 * output line or event, with its time (UTC, as sup's own log writes it),
 * the job and the stream or the event's type, then the text. Pure: a
 * record in, a line out; colour only when asked.
 *
 * @module
 */

import type { SupEvent } from "../core/events.ts";
import type { LogRecord } from "../web/stream_routes.ts";

const RESET = "\x1b[0m";
const DIM = "\x1b[2m";
const RED = "\x1b[31m";
/** Colours a job name may get (picked by a hash of the name, so a job keeps its colour). */
const JOB_COLORS = ["\x1b[36m", "\x1b[35m", "\x1b[34m", "\x1b[33m", "\x1b[32m", "\x1b[96m"];

/** `2026-03-01 12:00:00.123`: UTC, the format of sup's own log. */
export function timeText(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

/** How to print. */
export interface TextOptions {
  color: boolean;
  /** Width the job column is padded to. @default 0 */
  jobWidth?: number;
}

/** One output line: `<time> <job> <out|err> | <line>`. */
export function logLineText(record: LogRecord, options: TextOptions): string {
  const paint = (code: string, text: string) => (options.color ? `${code}${text}${RESET}` : text);
  const job = record.job.padEnd(options.jobWidth ?? 0);
  const stream = record.stream === "stderr" ? paint(RED, "err") : paint(DIM, "out");
  return `${paint(DIM, timeText(record.time))} ${
    paint(jobColor(record.job), job)
  } ${stream} | ${record.line}`;
}

/** One event: `<time> <type> <job> key=value ...` (the fields but type, at, job and those null). */
export function eventText(event: SupEvent, options: TextOptions): string {
  const paint = (code: string, text: string) => (options.color ? `${code}${text}${RESET}` : text);
  const { type, at, ...rest } = event as SupEvent & Record<string, unknown>;
  const job = typeof rest.job === "string" ? rest.job : null;
  delete rest.job;
  const fields = Object.entries(rest).filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  const warn = /(failed|fatal|missed|exited|backoff|invalid|stalled|dropped|refused)$/.test(type);
  return [
    paint(DIM, timeText(at)),
    paint(warn ? RED : "", type),
    ...(job === null ? [] : [paint(jobColor(job), job)]),
    ...fields,
  ].join(" ");
}

/** A field's value as one word where it can be: strings bare unless they hold spaces. */
function fieldText(value: unknown): string {
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (isReason(value)) {
    const text = [value.source, value.by, value.detail].filter((p) => p).join(": ");
    return JSON.stringify(text);
  }
  return JSON.stringify(value);
}

function isReason(value: unknown): value is { source: string; by?: string; detail?: string } {
  return typeof value === "object" && value !== null && "source" in value &&
    typeof (value as { source: unknown }).source === "string";
}

function jobColor(job: string): string {
  let hash = 0;
  for (let i = 0; i < job.length; i++) hash = (hash * 31 + job.charCodeAt(i)) >>> 0;
  return JOB_COLORS[hash % JOB_COLORS.length];
}
