/**
 * `sup status` as text: a header naming the sup, then one row per job
 * (job, state in colour, pid, uptime, restarts, the reason of the last
 * action, the age of the last heartbeat or health check, RSS, CPU %).
 * Pure: the report and the time in, lines out; colour only when asked.
 *
 * @module
 */

import type { StatusReport, StatusRow } from "../core/control_api.ts";
import type { ActionReason } from "../core/events.ts";

/** How to render. */
export interface TableOptions {
  /** ANSI colours. */
  color: boolean;
  /** Columns available; the reason column is cut to fit. @default 120 */
  width?: number;
  /** "now" for ages. @default report.at */
  now?: number;
}

const RESET = "\x1b[0m";
const COLORS: Record<string, string> = {
  running: "\x1b[32m", // green
  starting: "\x1b[33m", // yellow
  stopping: "\x1b[33m",
  backoff: "\x1b[33m",
  exited: "\x1b[31m", // red
  fatal: "\x1b[1;31m", // bold red
  stopped: "\x1b[2m", // dim
  disabled: "\x1b[2m",
};
const DIM = "\x1b[2m";
const BOLD = "\x1b[1m";

/** The status report as lines of text. */
export function statusTable(report: StatusReport, options: TableOptions): string[] {
  const now = options.now ?? report.at;
  const paint = (code: string, text: string) => (options.color ? `${code}${text}${RESET}` : text);
  const { sup } = report;
  const head = `sup ${sup.name} (pid ${sup.pid}, up ${
    duration(now - sup.startedAt)
  }) ${sup.config}`;
  const header = ["JOB", "STATE", "PID", "UPTIME", "RESTARTS", "HEARTBEAT", "RSS", "CPU", "LAST"];
  const cells = report.jobs.map((row) => [
    row.name,
    stateText(row),
    row.pid === null ? "-" : String(row.pid),
    row.startedAt === null ? "-" : duration(now - row.startedAt),
    String(row.restarts),
    signOfLife(row, now),
    row.rssBytes === null ? "-" : size(row.rssBytes),
    row.cpuPercent === null ? "-" : `${row.cpuPercent.toFixed(1)}%`,
    lastReason(row),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const right = new Set([2, 4, 6, 7]);
  const pad = (text: string, i: number) =>
    right.has(i) ? text.padStart(widths[i]) : text.padEnd(widths[i]);
  const line = (row: string[], i: number | null) => {
    const parts = row.map((cell, c) => (c === row.length - 1 ? cell : pad(cell, c)));
    const fixed = parts.slice(0, -1).join("  ");
    const room = Math.max(10, (options.width ?? 120) - fixed.length - 2);
    const last = cut(parts[parts.length - 1], room);
    if (i === null || !options.color) return `${fixed}  ${last}`.trimEnd();
    const job = report.jobs[i];
    const state = paint(COLORS[job.disabled ? "disabled" : job.state] ?? "", pad(row[1], 1));
    return [pad(row[0], 0), state, ...parts.slice(2, -1), last].join("  ").trimEnd();
  };
  const lines = [paint(BOLD, head), paint(DIM, line(header, null))];
  if (report.jobs.length === 0) lines.push("(no jobs)");
  cells.forEach((row, i) => lines.push(line(row, i)));
  return lines;
}

/** "running", "running (ready)", "stopped (disabled)", "fatal". */
function stateText(row: StatusRow): string {
  if (row.disabledBy !== null && row.disabledBy !== "config") return `${row.state} (disabled)`;
  if (row.disabledBy === "config" && row.pid === null) return `${row.state} (disabled)`;
  return row.state;
}

/** The age of the last heartbeat or health check, "-" when there is none. */
function signOfLife(row: StatusRow, now: number): string {
  const health = row.health;
  const beat = row.lastHeartbeatAt;
  if (health !== null && (beat === null || health.at > beat)) {
    return `${health.ok ? "health ok" : "health failing"} ${duration(now - health.at)} ago`;
  }
  return beat === null ? "-" : `${duration(now - beat)} ago`;
}

/** The last action's reason ("crash: exited with code 1"), the fatal message, or who disabled it. */
function lastReason(row: StatusRow): string {
  if (row.fatalMessage) return row.fatalMessage;
  if (row.disabledBy !== null && row.disabledBy !== "config" && row.pid === null) {
    return `disabled by ${row.disabledBy}`;
  }
  return row.lastReason ? because(row.lastReason) : "";
}

function because(reason: ActionReason): string {
  const who = reason.by ? ` (${reason.by})` : "";
  return reason.detail ? `${reason.source}${who}: ${reason.detail}` : `${reason.source}${who}`;
}

function cut(text: string, room: number): string {
  return text.length <= room ? text : `${text.slice(0, room - 1)}…`;
}

/** "850ms", "12s", "3m 04s", "2h 05m", "4d 03h". */
export function duration(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${two(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${two(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${two(Math.floor((s % 86400) / 3600))}h`;
}

/** "512 KB", "23.4 MB", "1.2 GB" (1024-based, as sup's sizes). */
export function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}
