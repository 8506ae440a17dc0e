/**
 * The operator routes that stream: `GET /api/logs` (jobs' output) and
 * `GET /api/events` (sup's events), each the recent history then, with
 * `follow=1`, the live facts, as NDJSON (`live_stream.ts`). What `sup logs`
 * and `sup events` read.
 *
 * `/api/logs?job=<selector>&lines=N&since=<when>&follow=1` sends records
 * `{ time, job, stream, line }`: the last N lines of the selected jobs' rings
 * (merged by the time sup read them), then every new line. A job's lines
 * keep the order sup read them from its two pipes.
 *
 * `/api/events?lines=N&since=<when>&follow=1&job=<selector>&type=<prefix>`
 * sends the events themselves (`SupEvent`, the same objects listeners get).
 *
 * `since` is a duration back from now (`"10m"`), an ISO 8601 time or
 * milliseconds since the epoch. Every stream ends when sup stops.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { parseDuration } from "../config/units.ts";
import { selectJobs, selectorProblem, selects } from "../config/selector.ts";
import type { SupervisorApi } from "../core/api.ts";
import type { Unsubscribe } from "../core/event_bus.ts";
import { type EventHistory, KEPT_TYPES } from "../core/event_history.ts";
import type { SupEvent } from "../core/events.ts";
import type { OutputStream } from "../core/ring_buffer.ts";
import { type LiveSink, type LiveStreamOptions, ndjsonResponse } from "./live_stream.ts";

/** One line of `GET /api/logs`. */
export interface LogRecord {
  /** When sup read the line (ms since the epoch). */
  time: number;
  job: string;
  stream: OutputStream;
  line: string;
}

/** What the streaming routes read. */
export interface StreamRoutesParts {
  api: SupervisorApi;
  /** The recent events; without it `/api/events` sends live events only. */
  events?: EventHistory;
  /** Stream tuning (tests). */
  stream?: LiveStreamOptions;
}

/** Lines or events asked for when `lines` is not given. */
export const DEFAULT_LINES = 100;
const MAX_LINES = 100_000;

/** Routes `GET /api/logs` and `GET /api/events`. */
export function streamRoutes(parts: StreamRoutesParts): Hono {
  const { api } = parts;
  const app = new Hono();

  app.get("/api/logs", (c) => {
    const query = readQuery(c);
    if (typeof query === "string") return c.json({ error: query }, 400);
    const jobs = api.config().jobs;
    const selectors = query.selectors.length ? allAlias(query.selectors, jobs) : ["*"];
    for (const selector of selectors) {
      const problem = selectorProblem(selector, jobs);
      if (problem) return c.json({ error: `job: ${problem}` }, 404);
    }
    return ndjsonResponse((sink) => {
      const names = selectJobs(selectors, jobs);
      const history: LogRecord[] = names.flatMap((job) =>
        api.outputLines(job, query.lines, query.since).map((l) => ({ ...l, job }))
      );
      history.sort((a, b) => a.time - b.time); // stable: each job's own order stays
      for (const record of history.slice(Math.max(0, history.length - query.lines))) {
        sink.send({ time: record.time, job: record.job, stream: record.stream, line: record.line });
      }
      if (!query.follow) {
        sink.end();
        return () => {};
      }
      // Jobs a reload adds that the selectors name are followed too.
      let followed = new Set(names);
      const offs: Unsubscribe[] = [
        api.bus.on("config.reloaded", () => {
          followed = new Set(selectJobs(selectors, api.config().jobs));
        }),
        api.bus.on("job.output", (e) => {
          if (followed.has(e.job)) {
            sink.send({ time: e.at, job: e.job, stream: e.stream, line: e.line });
          }
        }),
        api.bus.on("sup.stopping", () => sink.end()),
      ];
      return () => offs.forEach((off) => off());
    }, parts.stream);
  });

  app.get("/api/events", (c) => {
    const query = readQuery(c);
    if (typeof query === "string") return c.json({ error: query }, 400);
    const jobs = api.config().jobs;
    const selectors = allAlias(query.selectors, jobs);
    for (const selector of selectors) {
      const problem = selectorProblem(selector, jobs);
      if (problem) return c.json({ error: `job: ${problem}` }, 404);
    }
    const types = c.req.queries("type") ?? [];
    const wanted = (event: SupEvent): boolean => {
      if (types.length && !types.some((t) => event.type.startsWith(t))) return false;
      if (selectors.length === 0) return true;
      const job = "job" in event ? event.job : null;
      if (typeof job !== "string") return false;
      const config = api.config().jobs.find((j) => j.name === job) ?? { name: job, groups: [] };
      return selectors.some((s) => selects(s, config));
    };
    return ndjsonResponse((sink: LiveSink) => {
      const recent = parts.events?.recent(Infinity, query.since).filter(wanted) ?? [];
      for (const event of recent.slice(Math.max(0, recent.length - query.lines))) sink.send(event);
      if (!query.follow) {
        sink.end();
        return () => {};
      }
      const send = (event: SupEvent) => wanted(event) && sink.send(event);
      const offs = KEPT_TYPES.map((type) => api.bus.on(type, send));
      offs.push(api.bus.on("sup.stopping", () => sink.end()));
      return () => offs.forEach((off) => off());
    }, parts.stream);
  });

  return app;
}

/** What both routes take from the query string. */
interface StreamQuery {
  selectors: string[];
  lines: number;
  since: number;
  follow: boolean;
}

/** The query, or a sentence saying what is wrong with it. */
function readQuery(c: Context): StreamQuery | string {
  const rawLines = c.req.query("lines");
  const lines = rawLines === undefined ? DEFAULT_LINES : Number(rawLines);
  if (!Number.isInteger(lines) || lines < 0 || lines > MAX_LINES) {
    return `lines: ${JSON.stringify(rawLines)} is not a line count (whole number 0-${MAX_LINES})`;
  }
  const rawSince = c.req.query("since");
  const since = rawSince === undefined ? -Infinity : parseSince(rawSince, Date.now());
  if (since === null) {
    return `since: ${
      JSON.stringify(rawSince)
    } is not a time (expected a duration back from now like "10m", an ISO 8601 time, or ms since the epoch)`;
  }
  const follow = ["1", "true", ""].includes(c.req.query("follow") ?? "no");
  return { selectors: c.req.queries("job") ?? [], lines, since, follow };
}

/** `all` means every job (`*`), unless a job is named "all". */
function allAlias(selectors: string[], jobs: readonly { name: string }[]): string[] {
  if (jobs.some((job) => job.name === "all")) return selectors;
  return selectors.map((s) => s === "all" ? "*" : s);
}

/**
 * `since` as ms since the epoch: a duration back from `now` ("10m", "1h"),
 * an ISO 8601 time, or a number of ms since the epoch; null when it is none.
 */
export function parseSince(text: string, now: number): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const duration = parseDuration(text);
  if (duration.ok) return now - duration.value;
  if (/^\d{4}-\d\d-\d\d/.test(text)) {
    const time = Date.parse(text);
    if (!Number.isNaN(time)) return time;
  }
  return null;
}
