/**
 * The `webhook` built-in listener's options as a user writes them:
 * events POSTed to an incoming webhook (Slack, Discord, or any JSON
 * endpoint), which is also a notifier (`ctx.notify`, machine actions,
 * `sup notify test` reach it).
 *
 * @module
 */

import type { SecretValue } from "./analytics_types.ts";
import type { Duration } from "./types.ts";

/** The shape of the bodies a webhook POSTs. */
export type WebhookPreset = "slack" | "discord" | "json";

/** Options of `webhook({...})`. */
export interface WebhookOptions {
  /**
   * The incoming webhook's URL, or the environment variable holding it
   * (these URLs are secrets: anyone who has one can post).
   * @example { env: "SLACK_WEBHOOK_URL" }
   */
  url: SecretValue;
  /**
   * The events posted: names (`"job.fatal"`), groups (`"health.*"`) or
   * `"*"`. `job.exited` posts only exits sup did not ask for.
   * @default ["job.exited", "job.fatal", "job.spawnFailed", "heartbeat.missed", "health.failed", "app.missed", "config.invalid"]
   */
  on?: string | string[];
  /**
   * Only events about these jobs (a job's name, `"group:<name>"`, `"*"`);
   * events about no job (machine, config) are posted all the same.
   * @default "*"
   */
  jobs?: string | string[];
  /**
   * Gather the events of this long into one message (the first event
   * starts the wait); unset, each event is posted at once.
   * @default none (each event at once)
   * @example "30s"
   */
  interval?: Duration;
  /**
   * The body: Slack's `{ text }`, Discord's `{ content }` (at most 2,000
   * characters a message; longer ones are split), or `"json"` (the events as
   * sup emits them).
   * @default "slack" for hooks.slack.com, "discord" for discord.com and discordapp.com, else "json"
   */
  preset?: WebhookPreset;
  /**
   * Request headers added to every POST, each a value or `{ env: "NAME" }`.
   * @default {}
   * @example { Authorization: { env: "HOOK_TOKEN" } }
   */
  headers?: Record<string, SecretValue>;
  /** The listener's name in logs, events and notifier lists (`webhook:<name>`). @default "webhook" */
  name?: string;
}

/** A `webhook` listener as written in `listeners`. */
export type WebhookDescriptor = { kind: "webhook" } & WebhookOptions;
