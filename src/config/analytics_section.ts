/**
 * Validates and resolves `logging.events` (the event log file) and
 * `analytics` (Google Analytics 4), and secrets written as `{ env: "NAME" }`.
 *
 * @module
 */

import { resolve } from "node:path";
import type { IssueList } from "./config_error.ts";
import { type AllKeys, describe, Fields } from "./fields.ts";
import {
  GA4_ENDPOINT,
  type ResolvedAnalytics,
  type ResolvedEventFile,
} from "./analytics_resolved.ts";
import type { AnalyticsConfig, EventFileConfig, SecretValue } from "./analytics_types.ts";

const EVENT_FILE_KEYS = ["file", "jobs"] as const;
const ANALYTICS_KEYS = ["measurementId", "apiSecret", "endpoint", "clientId", "interval"] as const;
const _eventFile: AllKeys<EventFileConfig, typeof EVENT_FILE_KEYS[number]> = true;
const _analytics: AllKeys<AnalyticsConfig, typeof ANALYTICS_KEYS[number]> = true;

/** `logging.events` (read from the `logging` fields); `dir` is the config's folder. */
export function readEventFile(logging: Fields, dir: string): ResolvedEventFile | null {
  const value = logging.obj.events;
  if (value === undefined || value === false) return null;
  const f = logging.object("events", 'an object like { file: "logs/event-{date}.tsv" } or false');
  if (!f) return null;
  f.keys(EVENT_FILE_KEYS);
  const file = f.string("file", null);
  if (file === null) {
    if (!f.has("file")) f.fail("file", 'is required (e.g. "logs/event-{date}.tsv")');
    return null;
  }
  return { file: resolve(dir, file), jobs: f.bool("jobs", true) };
}

/** `analytics`: null when unset or false. */
export function readAnalytics(
  value: unknown,
  issues: IssueList,
  path = "analytics",
): ResolvedAnalytics | null {
  if (value === undefined || value === false) return null;
  const f = Fields.of(value, path, issues, "an object like { measurementId, apiSecret } or false");
  if (!f) return null;
  f.keys(ANALYTICS_KEYS);
  const measurementId = f.string("measurementId", null);
  if (measurementId === null && !f.has("measurementId")) {
    f.fail("measurementId", 'is required (the GA4 stream\'s, e.g. "G-ABC123XYZ9")');
  } else if (measurementId !== null && !/^G-[A-Z0-9]{4,20}$/.test(measurementId)) {
    f.fail(
      "measurementId",
      `${JSON.stringify(measurementId)} is not a GA4 measurement ID (expected e.g. "G-ABC123XYZ9")`,
    );
  }
  const apiSecret = readSecret(f, "apiSecret");
  const endpoint = readHttpUrl(f, "endpoint") ?? GA4_ENDPOINT;
  const clientId = f.string("clientId", null);
  const intervalMs = f.duration("interval", 10_000);
  if (measurementId === null || apiSecret === null) return null;
  return { measurementId, apiSecret, endpoint, clientId, intervalMs };
}

/** A secret: a non-empty string or `{ env: "NAME" }`; records an issue and returns null otherwise. */
export function readSecret(f: Fields, key: string, required = true): SecretValue | null {
  const value = f.obj[key];
  if (value === undefined) {
    if (required) {
      f.fail(key, 'is required (a string, or { env: "NAME" } to read it from the environment)');
    }
    return null;
  }
  if (typeof value === "string" && value !== "") return value;
  const env = value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
  if (env && Object.keys(env).length === 1 && typeof env.env === "string") {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(env.env)) return { env: env.env };
    f.fail(key, `${JSON.stringify(env.env)} is not an environment variable name`);
    return null;
  }
  f.fail(key, `must be a string or { env: "NAME" }, got ${describe(value)}`);
  return null;
}

/** An http: or https: URL, or null when unset (or wrong: the issue is recorded). */
export function readHttpUrl(f: Fields, key: string): string | null {
  const text = f.string(key, null);
  if (text === null) return null;
  try {
    const url = new URL(text);
    if (url.protocol === "http:" || url.protocol === "https:") return url.href;
  } catch {
    // reported below
  }
  f.fail(key, `${JSON.stringify(text)} is not an http:// or https:// URL`);
  return null;
}
