/**
 * What a user writes for ampm's logging of app events: the event log file
 * (`logging.events`) and Google Analytics 4 (`analytics`); resolved in
 * `analytics_section.ts`.
 *
 * @module
 */

import type { Duration } from "./types.ts";

/**
 * A secret written in the config, or the name of the environment variable
 * that holds it (so the config can be committed).
 * @example { env: "GA_API_SECRET" }
 */
export type SecretValue = string | {
  /** The environment variable sup reads the secret from when it starts (and on reloads). */
  env: string;
};

/**
 * ampm's event log file: app events (`/event`, `{"type":"event"}`) and job
 * lifecycle events, one tab-separated line each under a header line, a new
 * file each day when the name holds `{date}`.
 */
export interface EventFileConfig {
  /**
   * The file, relative to the config file; `{date}` becomes the local date
   * (`2026-12-02`), so each day has its own file. Created with
   * `logging.fileMode`.
   * @example "logs/event-{date}.tsv"
   */
  file: string;
  /**
   * Also write job lifecycle events (spawned, ready, exited, actions with
   * their reasons, backoff, fatal, missed heartbeats, health checks, machine
   * actions); false writes app events only.
   * @default true
   */
  jobs?: boolean;
}

/**
 * App events sent to Google Analytics 4 with its Measurement Protocol,
 * batched (at most 25 events a request) and never in the way of
 * supervising: a slow or unreachable endpoint only delays or drops events.
 */
export interface AnalyticsConfig {
  /**
   * The measurement ID of the GA4 data stream.
   * @example "G-ABC123XYZ9"
   */
  measurementId: string;
  /**
   * A Measurement Protocol API secret of that stream (Admin > Data streams >
   * the stream > Measurement Protocol API secrets), or where to read it.
   * @example { env: "GA_API_SECRET" }
   */
  apiSecret: SecretValue;
  /**
   * Where events are POSTed (`measurement_id` and `api_secret` are added to
   * the query).
   * @default "https://www.google-analytics.com/mp/collect"
   * @example "https://region1.google-analytics.com/mp/collect"
   */
  endpoint?: string;
  /**
   * The `client_id` GA4 counts the events under (ampm used the hostname).
   * @default the machine's hostname
   */
  clientId?: string;
  /**
   * How long an event may wait to be sent with others; 25 waiting events are
   * sent at once.
   * @default "10s"
   */
  interval?: Duration;
}
