/**
 * Validates and resolves a `webhook` listener's descriptor (the options in
 * `listener_webhook_types.ts`).
 *
 * @module
 */

import type { SecretValue } from "./analytics_types.ts";
import { readHttpUrl, readSecret } from "./analytics_section.ts";
import { joinPath } from "./config_error.ts";
import { EVENT_TYPES, NOT_IN_ALL } from "./event_types.ts";
import { type AllKeys, describe, type Fields } from "./fields.ts";
import type { ListenerKind } from "./listener_kinds.ts";
import type { WebhookOptions, WebhookPreset } from "./listener_webhook_types.ts";
import { selectorProblem } from "./selector.ts";
import { didYouMean } from "./suggest.ts";

/** A webhook's options resolved (plain data: secrets still `{ env }` until it starts). */
export interface ResolvedWebhook {
  url: SecretValue;
  /** Event types (wildcards expanded). */
  on: string[];
  /** Job selectors. */
  jobs: string[];
  /** null: each event posted at once. */
  intervalMs: number | null;
  /** null: from the URL when it starts. */
  preset: WebhookPreset | null;
  headers: Record<string, SecretValue>;
}

/** What a webhook posts when `on` is not set. */
export const DEFAULT_WEBHOOK_EVENTS: readonly string[] = [
  "job.exited",
  "job.fatal",
  "job.spawnFailed",
  "heartbeat.missed",
  "health.failed",
  "app.missed",
  "config.invalid",
];

const KEYS = ["url", "on", "jobs", "interval", "preset", "headers"] as const;
const _keys: AllKeys<WebhookOptions, typeof KEYS[number] | "name"> = true;
const PRESETS: readonly WebhookPreset[] = ["slack", "discord", "json"];

/** The `webhook` kind for `LISTENER_KINDS`. */
export const WEBHOOK_KIND: ListenerKind<ResolvedWebhook> = {
  read(f, ctx) {
    f.keys(KEYS);
    const url = readSecret(f, "url", !ctx.partial);
    if (typeof url === "string") readHttpUrl(f, "url");
    const jobs = readJobs(f);
    if (!ctx.partial) {
      jobs.forEach((selector, i) => {
        const problem = selectorProblem(selector, ctx.jobs);
        const at = typeof f.obj.jobs === "string" ? f.at("jobs") : joinPath(f.at("jobs"), i);
        if (problem) f.issues.add(at, problem);
      });
    }
    return {
      url: url ?? "",
      on: readOn(f),
      jobs,
      intervalMs: f.duration("interval", null, true),
      preset: f.oneOf("preset", PRESETS, null, "a webhook preset"),
      headers: readHeaders(f),
    };
  },
};

function readJobs(f: Fields): string[] {
  const raw = f.obj.jobs;
  if (raw === undefined) return ["*"];
  if (typeof raw === "string") {
    if (raw.trim() !== "") return [raw];
    f.fail("jobs", 'must be a job\'s name, "group:<name>" or "*"');
    return ["*"];
  }
  return f.strings("jobs");
}

function readOn(f: Fields): string[] {
  const raw = f.obj.on;
  if (raw === undefined) return [...DEFAULT_WEBHOOK_EVENTS];
  const single = typeof raw === "string";
  if (!single && !Array.isArray(raw)) {
    f.fail("on", `must be an event type or an array of them, got ${describe(raw)}`);
    return [];
  }
  const items: unknown[] = single ? [raw] : raw as unknown[];
  const groups = [...new Set(EVENT_TYPES.map((type) => `${type.split(".")[0]}.*`))];
  const patterns = items.filter((item, i): item is string => {
    const ok = typeof item === "string" &&
      (item === "*" || (EVENT_TYPES as readonly string[]).includes(item) || groups.includes(item));
    if (ok) return true;
    const problem = typeof item === "string"
      ? `${JSON.stringify(item)} is not an event type${
        didYouMean(item, [...EVENT_TYPES, ...groups])
      } (e.g. "job.fatal", "health.*" or "*")`
      : `must be an event type, got ${describe(item)}`;
    f.issues.add(single ? f.at("on") : joinPath(f.at("on"), i), problem);
    return false;
  });
  // Expanded here, not with listeners_section's expandOn: that module imports the kinds (a cycle).
  return EVENT_TYPES.filter((type) =>
    patterns.some((p) =>
      p === type || (p === "*" && !NOT_IN_ALL.includes(type)) ||
      (p.endsWith(".*") && p !== "*" && type.startsWith(p.slice(0, -1)))
    )
  );
}

function readHeaders(f: Fields): Record<string, SecretValue> {
  const h = f.object(
    "headers",
    'an object of header values, e.g. { Authorization: { env: "TOKEN" } }',
  );
  if (!h) return {};
  const out: Record<string, SecretValue> = {};
  for (const name of Object.keys(h.obj)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      h.fail(name, "is not an HTTP header name");
      continue;
    }
    const value = readSecret(h, name);
    if (value !== null) out[name] = value;
  }
  return out;
}
