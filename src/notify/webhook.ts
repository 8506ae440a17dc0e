/**
 * The `webhook` built-in listener: the events it is on (about the jobs it
 * selects) are POSTed to an incoming webhook, one message per event or one
 * per `interval`, formatted for Slack, Discord or as JSON
 * (`webhook_format.ts`), delivered in order with retries
 * (`webhook_sender.ts`). Exits sup asked for are left out of `job.exited`,
 * and so are the webhook's own `notify.*` events (one that fails would
 * otherwise post about its failure forever).
 *
 * The same descriptor also makes a notifier (`webhook_notifiers.ts`), so
 * notifications reach the webhook too.
 *
 * @module
 */

import type { ResolvedWebhook } from "../config/listener_webhook.ts";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { SupEvent, SupEventType } from "../core/events.ts";
import type { BuiltinFactory, ListenerContext, RunningListener } from "./listener.ts";
import { eventMessages, presetFor } from "./webhook_format.ts";
import { WebhookSender, type WebhookSenderOptions } from "./webhook_sender.ts";
import type { SecretValue } from "../config/analytics_types.ts";
import type { WebhookPreset } from "../config/listener_webhook_types.ts";

/** Events one batch holds at most; more are counted and left out. */
const MAX_BATCH = 1_000;

/** How a webhook reaches its endpoint, its secrets read. */
export interface WebhookTarget {
  url: string;
  headers: Record<string, string>;
  preset: WebhookPreset;
}

/** The URL and headers of `options` with `{ env }` read; throws naming a variable that is not set. */
export function webhookTarget(
  options: ResolvedWebhook,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): WebhookTarget {
  const read = (value: SecretValue, what: string): string => {
    if (typeof value === "string") return value;
    const found = env(value.env);
    if (!found) throw new Error(`the environment variable ${value.env} (${what}) is not set`);
    return found;
  };
  const url = read(options.url, "url");
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error();
  } catch {
    throw new Error(`the url is not an http:// or https:// URL`);
  }
  const headers = Object.fromEntries(
    Object.entries(options.headers).map(([name, value]) => [name, read(value, `headers.${name}`)]),
  );
  return { url, headers, preset: presetFor(url, options.preset) };
}

/** The notifier name of the webhook listener `name` (`webhook`, `webhook:slack`). */
export function webhookName(name: string): string {
  return name.startsWith("webhook") ? name : `webhook:${name}`;
}

/** Posts events to one webhook; see the module doc. */
export class WebhookListener implements RunningListener {
  readonly name: string;
  readonly on: readonly SupEventType[];
  #options: ResolvedWebhook;
  #ctx: ListenerContext;
  #target: WebhookTarget;
  #sender: WebhookSender;
  #host: string;
  #jobs: Set<string>;
  #batch: SupEvent[] = [];
  #left = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Throws when a secret's environment variable is not set (the runtime reports it). */
  constructor(
    options: ResolvedWebhook,
    ctx: ListenerContext,
    tuning: Partial<WebhookSenderOptions> = {},
  ) {
    this.name = ctx.name;
    this.on = options.on as SupEventType[];
    this.#options = options;
    this.#ctx = ctx;
    this.#target = webhookTarget(options);
    this.#sender = new WebhookSender({
      name: webhookName(ctx.name),
      url: this.#target.url,
      headers: this.#target.headers,
      log: ctx.log,
      ...tuning,
    });
    this.#host = hostname();
    this.#jobs = new Set(ctx.jobs(options.jobs));
  }

  /** The sender's counters (tests). */
  get stats(): WebhookSender["stats"] {
    return this.#sender.stats;
  }

  /** Queues the event (posted at once, or with the batch). Never waits for the endpoint. */
  handle(event: SupEvent): void {
    if (!this.#wanted(event)) return;
    if (this.#batch.length >= MAX_BATCH) this.#left++;
    else this.#batch.push(event);
    if (this.#options.intervalMs === null) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), this.#options.intervalMs);
  }

  /** Follows the jobs the selectors name after a reload. */
  apply(_config: ResolvedConfig): void {
    this.#jobs = new Set(this.#ctx.jobs(this.#options.jobs));
  }

  /** Posts the batch waiting, then gives what is queued a last try (bounded). */
  async close(): Promise<void> {
    this.#flush();
    await this.#sender.close(2_000);
  }

  #wanted(event: SupEvent): boolean {
    const job = (event as { job?: unknown }).job;
    if (typeof job === "string" && !this.#jobs.has(job)) return false;
    if (event.type === "job.exited" && event.expected) return false;
    if (event.type.startsWith("notify.")) {
      return (event as { notifier?: string }).notifier !== this.#sender.name;
    }
    return true;
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    if (this.#left > 0) {
      this.#ctx.log.warn(`${this.#left} events left out of one batch (at most ${MAX_BATCH})`);
      this.#left = 0;
    }
    for (const message of eventMessages(this.#target.preset, this.#host, batch)) {
      void this.#sender.send(message);
    }
  }
}

/** The `webhook` built-in (for `BUILTINS`). */
export const create: BuiltinFactory<ResolvedWebhook> = (options, ctx) =>
  new WebhookListener(options, ctx);

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "this machine";
  }
}
