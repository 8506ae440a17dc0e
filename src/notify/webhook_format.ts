/**
 * What a webhook POSTs: events and notifications as bodies Slack's and
 * Discord's incoming webhooks accept, or as JSON for any other endpoint.
 *
 * - `slack`: `{ text }` in Slack's mrkdwn (`&`, `<`, `>` escaped as Slack
 *   asks), at most 4,000 characters a message (Slack's advice; it cuts at
 *   40,000);
 * - `discord`: `{ content, allowed_mentions: { parse: [] } }`, at most 2,000
 *   characters a message (Discord refuses more), and no `@everyone` or role
 *   pings from what a job printed;
 * - `json`: `{ host, text, events }` (the events as sup emits them) or
 *   `{ host, subject, body, job }`.
 *
 * A batch too long for one message is split at line ends into at most five
 * messages; what does not fit is counted in the last line.
 *
 * @module
 */

import type { WebhookPreset } from "../config/listener_webhook_types.ts";
import type { SupEvent } from "../core/events.ts";
import { because } from "../core/machine.ts";
import type { Notification } from "../core/notification.ts";

/** One POST: its JSON body and a subject for logs and `notify.*` events. */
export interface WebhookMessage {
  subject: string;
  body: string;
}

/** Characters of one message's text, per preset. */
export const TEXT_LIMIT: Record<Exclude<WebhookPreset, "json">, number> = {
  slack: 4_000,
  discord: 2_000,
};

/** Messages one batch is split into at most. */
const MAX_PARTS = 5;
/** Events in one JSON body at most. */
const JSON_EVENTS = 100;

/** The preset to use: the one set, else the one the URL's host implies. */
export function presetFor(url: string, preset: WebhookPreset | null): WebhookPreset {
  if (preset !== null) return preset;
  let host = "";
  try {
    host = new URL(url).hostname;
  } catch {
    return "json";
  }
  if (host === "hooks.slack.com") return "slack";
  if (/(^|\.)discord(app)?\.com$/.test(host)) return "discord";
  return "json";
}

/** The messages for a batch of events. */
export function eventMessages(
  preset: WebhookPreset,
  host: string,
  events: readonly SupEvent[],
): WebhookMessage[] {
  const subject = events.length === 1
    ? describeEvent(events[0])
    : `${events.length} events on ${host}`;
  if (preset === "json") {
    const out: WebhookMessage[] = [];
    for (let i = 0; i < events.length; i += JSON_EVENTS) {
      const part = events.slice(i, i + JSON_EVENTS);
      const text = part.map((e) => `${clock(e.at)} ${describeEvent(e)}`).join("\n");
      out.push({ subject, body: JSON.stringify({ host, text, events: part }) });
    }
    return out;
  }
  const lines = events.map((e) => `${clock(e.at)} ${describeEvent(e)}`);
  const header = events.length === 1 ? `sup on ${host}` : `sup on ${host}: ${events.length} events`;
  return textMessages(preset, header, lines).map((text) => ({ subject, body: wrap(preset, text) }));
}

/** The messages for a notification. */
export function notificationMessages(
  preset: WebhookPreset,
  host: string,
  message: Notification,
): WebhookMessage[] {
  const subject = message.subject;
  if (preset === "json") {
    const { subject: _s, body, job } = message;
    return [{ subject, body: JSON.stringify({ host, subject, body, job: job ?? null }) }];
  }
  const lines = message.body.split("\n");
  return textMessages(preset, subject, lines).map((text) => ({
    subject,
    body: wrap(preset, text),
  }));
}

/** One line for an event, for people. */
export function describeEvent(event: SupEvent): string {
  switch (event.type) {
    case "job.exited": {
      const how = event.signal ? `was killed by ${event.signal}` : `exited with code ${event.code}`;
      const tail = event.stderrTail.length > 0
        ? `; last stderr: ${clip(event.stderrTail.slice(-3).join(" | "), 300)}`
        : "";
      return `job "${event.job}" ${how} after ${span(event.uptimeMs)}${tail}`;
    }
    case "job.fatal":
      return `job "${event.job}" is fatal: ${event.message}`;
    case "job.spawnFailed":
      return `job "${event.job}" could not start: ${event.message}`;
    case "job.backoff":
      return `job "${event.job}" died quickly (${event.retries} in a row), restarting in ${
        span(event.delayMs)
      }`;
    case "job.action":
      return `job "${event.job}": ${event.action} (${because(event.reason)})`;
    case "job.state":
      return `job "${event.job}": ${event.from} → ${event.to} (${because(event.reason)})`;
    case "job.spawned":
      return `job "${event.job}" started (pid ${event.pid})`;
    case "job.ready":
      return `job "${event.job}" is ready (pid ${event.pid}, ${event.by})`;
    case "job.signaled":
      return `job "${event.job}": ${event.signal} sent (${because(event.reason)})`;
    case "heartbeat.missed":
      return `job "${event.job}" missed its heartbeat (none for ${span(event.timeoutMs)})`;
    case "health.failed":
      return `job "${event.job}": ${event.check} health check failed (${event.failures} in a row): ${event.reason}`;
    case "health.recovered":
      return `job "${event.job}": ${event.check} health check passes again after ${event.failures} failures`;
    case "app.missed":
      return `app "${event.name}" missed its refresh (${span(event.timeoutMs)}): ${event.action}`;
    case "app.log":
      return `[${event.level}] ${event.job ?? "app"}: ${clip(event.message, 500)}`;
    case "machine.action":
      return `${event.action === "reboot" ? "REBOOTING" : "POWERING OFF"} the machine (${
        because(event.reason)
      })`;
    case "machine.refused":
      return event.message;
    case "config.invalid":
      return `config "${event.source}" is invalid (the running config stays): ${
        event.errors[0] ?? ""
      }${event.errors.length > 1 ? ` (and ${event.errors.length - 1} more)` : ""}`;
    case "config.reloaded":
      return `config reloaded: added ${list(event.added)}; removed ${
        list(event.removed)
      }; changed ${list(event.changed)}`;
    case "notify.failed":
      return `notifier "${event.notifier}" failed to send "${event.subject}": ${event.error}`;
    case "listener.failed":
      return `listener "${event.listener}" ${event.problem}: ${event.message}`;
    case "sup.started":
      return `sup started (pid ${event.pid}, ${event.config})`;
    case "sup.stopping":
      return `sup is stopping (${event.signal})`;
    case "sup.stopped":
      return "sup stopped";
    default: {
      const { type, at: _at, ...rest } = event;
      return `${type} ${clip(JSON.stringify(rest), 300)}`;
    }
  }
}

/** Lines under a bold header, split into messages within the preset's limit. */
function textMessages(
  preset: Exclude<WebhookPreset, "json">,
  header: string,
  lines: readonly string[],
): string[] {
  const limit = TEXT_LIMIT[preset];
  const head = bold(preset, escape(preset, clip(header, 200)));
  const room = limit - head.length - 40; // room for "(part n/N)" and the overflow line
  const parts: string[][] = [[]];
  let size = 0;
  let left = 0;
  for (const [i, raw] of lines.entries()) {
    const line = clip(escape(preset, raw), room);
    if (size + line.length + 1 > room && parts.at(-1)!.length > 0) {
      if (parts.length === MAX_PARTS) {
        left = lines.length - i;
        break;
      }
      parts.push([]);
      size = 0;
    }
    parts.at(-1)!.push(line);
    size += line.length + 1;
  }
  return parts.map((part, i) => {
    const label = parts.length > 1 ? ` (part ${i + 1}/${parts.length})` : "";
    const more = i === parts.length - 1 && left > 0 ? [`… and ${left} more`] : [];
    return [head + label, ...part, ...more].join("\n");
  });
}

function wrap(preset: Exclude<WebhookPreset, "json">, text: string): string {
  return preset === "slack"
    ? JSON.stringify({ text })
    : JSON.stringify({ content: text, allowed_mentions: { parse: [] } });
}

function bold(preset: Exclude<WebhookPreset, "json">, text: string): string {
  return preset === "slack" ? `*${text}*` : `**${text}**`;
}

/** Slack wants `&`, `<` and `>` escaped; Discord takes text as it is. */
function escape(preset: Exclude<WebhookPreset, "json">, text: string): string {
  if (preset !== "slack") return text;
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

function list(names: readonly string[]): string {
  return names.length > 0 ? names.join(", ") : "none";
}

/** Local time of day, `HH:MM:SS`. */
function clock(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0"))
    .join(":");
}

function span(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10}s`;
  return `${Math.round(ms / 6_000) / 10} min`;
}
