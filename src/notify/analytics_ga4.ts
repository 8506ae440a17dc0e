/**
 * App events as Google Analytics 4 Measurement Protocol events, within
 * GA4's collection rules: an event name is letters, digits and underscores,
 * starts with a letter, is at most 40 characters and is not reserved
 * (`session_start`, `error`, the `_`, `firebase_`, `ga_`, `google_`,
 * `gtag.` prefixes...); string parameter values are at most 100
 * characters; a request holds at most 25 events.
 *
 * ampm's `{category, action, label, value}` event becomes the GA4 event
 * named after its action, with `event_category`, `event_label`, `value` and
 * `job` parameters (the mapping Google suggests for Universal Analytics
 * events), plus `session_id` (one per sup run) and `engagement_time_msec`
 * so GA4 counts the events in sessions and in its Realtime report.
 *
 * @module
 */

import type { EventOf } from "../core/events.ts";

/** Events in one Measurement Protocol request, at most. */
export const GA4_MAX_EVENTS = 25;

/** One event of a request body. */
export interface Ga4Event {
  name: string;
  params: Record<string, string | number>;
  /** When it happened, in microseconds since the epoch. */
  timestamp_micros: number;
}

/** GA4's reserved event names (Measurement Protocol reference). */
const RESERVED_NAMES = new Set([
  "ad_activeview",
  "ad_click",
  "ad_exposure",
  "ad_impression",
  "ad_query",
  "ad_reward",
  "adunit_exposure",
  "app_background",
  "app_clear_data",
  "app_exception",
  "app_install",
  "app_remove",
  "app_store_refund",
  "app_store_subscription_cancel",
  "app_store_subscription_convert",
  "app_store_subscription_renew",
  "app_update",
  "app_upgrade",
  "dynamic_link_app_open",
  "dynamic_link_app_update",
  "dynamic_link_first_open",
  "error",
  "first_open",
  "first_visit",
  "in_app_purchase",
  "notification_dismiss",
  "notification_foreground",
  "notification_open",
  "notification_receive",
  "os_update",
  "session_start",
  "session_start_with_rollout",
  "user_engagement",
]);

/** Reserved prefixes (`gtag.` cannot survive the character rule; listed for completeness). */
const RESERVED_PREFIXES = ["_", "firebase_", "ga_", "google_", "gtag."];

const MAX_NAME = 40;
const MAX_VALUE = 100;

/**
 * A valid GA4 event name for `action`: other characters become `_`, a name
 * not starting with a letter gets `app_` in front, and so does a reserved
 * one; cut to 40 characters. An empty action is `app_event`.
 */
export function ga4EventName(action: string): string {
  let name = action.trim().replace(/[^A-Za-z0-9_]+/g, "_");
  if (name === "" || name === "_") return "app_event";
  const reserved = RESERVED_NAMES.has(name.toLowerCase()) ||
    RESERVED_PREFIXES.some((prefix) => name.toLowerCase().startsWith(prefix));
  if (!/^[A-Za-z]/.test(name) || reserved) name = `app_${name.replace(/^_+/, "")}`;
  return name.slice(0, MAX_NAME);
}

/** A string parameter value GA4 keeps whole: at most 100 characters. */
function value(text: string): string {
  return text.length <= MAX_VALUE ? text : text.slice(0, MAX_VALUE);
}

/** The GA4 event for an app event; `sessionId` ties one sup run's events together. */
export function ga4Event(event: EventOf<"app.event">, sessionId: string): Ga4Event {
  const params: Record<string, string | number> = {
    event_category: value(event.category),
    session_id: sessionId,
    engagement_time_msec: 1,
  };
  if (event.label !== null) params.event_label = value(event.label);
  if (event.value !== null && Number.isFinite(event.value)) params.value = event.value;
  if (event.job !== null) params.job = value(event.job);
  return { name: ga4EventName(event.action), params, timestamp_micros: event.at * 1000 };
}

/** The request body for `events` (at most 25) of `clientId`. */
export function ga4Body(clientId: string, events: readonly Ga4Event[]): string {
  return JSON.stringify({ client_id: clientId, events });
}

/** The collect URL: `endpoint` with `measurement_id` and `api_secret` in its query. */
export function ga4Url(endpoint: string, measurementId: string, apiSecret: string): string {
  const url = new URL(endpoint);
  url.searchParams.set("measurement_id", measurementId);
  url.searchParams.set("api_secret", apiSecret);
  return url.href;
}
