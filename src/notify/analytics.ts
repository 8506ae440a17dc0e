/**
 * App events to Google Analytics 4 (`analytics`, ampm's `google` logging):
 * each `app.event` becomes a GA4 event (`analytics_ga4.ts`) queued here and
 * POSTed in batches of at most 25, after `interval` or as soon as 25 wait.
 * Never in sup's way: the bus listener only queues; one request is in
 * flight at a time; a failed batch (no connection, timeout, 5xx, 429) is
 * tried again with a doubling delay, one refused for good (another 4xx) is
 * dropped and logged; at most 1,000 events wait, the oldest dropped first
 * and counted in the log.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { ResolvedAnalytics, ResolvedConfig } from "../config/resolved.ts";
import type { EventBus, Unsubscribe } from "../core/event_bus.ts";
import type { SupEvent } from "../core/events.ts";
import { GA4_MAX_EVENTS, ga4Body, type Ga4Event, ga4Event, ga4Url } from "./analytics_ga4.ts";
import type { ReplayingComponent } from "./event_file_early.ts";
import { backoffMs, postJson } from "./webhook_http.ts";

/** Tuning and seams (tests). */
export interface AnalyticsOptions {
  /** Events waiting at most. @default 1000 */
  maxQueued?: number;
  /** First retry delay, doubled per failure up to 5 min. @default 1 s */
  retryMs?: number;
  /** Reads an environment variable (`apiSecret: { env }`). @default Deno.env.get */
  env?: (name: string) => string | undefined;
}

interface Target {
  url: string;
  clientId: string;
  intervalMs: number;
}

/** Sends app events to GA4; a component that follows `analytics`. */
export class Analytics implements ReplayingComponent {
  #bus: EventBus;
  #options: Required<AnalyticsOptions>;
  #target: Target | null = null;
  #off: Unsubscribe | null = null;
  #queue: Ga4Event[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #sending: Promise<void> | null = null;
  #failures = 0;
  #dropped = 0;
  #sessionId = String(Math.floor(Date.now() / 1000));
  #log = getLogger(["sup", "analytics"]);
  /** Counters for tests and status: events accepted by GA4, dropped, and requests made. */
  readonly stats = { sent: 0, dropped: 0, requests: 0 };

  /** Subscribes to `bus` at the first `apply` that sets `analytics`. */
  constructor(bus: EventBus, options: AnalyticsOptions = {}) {
    this.#bus = bus;
    this.#options = {
      maxQueued: options.maxQueued ?? 1000,
      retryMs: options.retryMs ?? 1_000,
      env: options.env ?? ((name) => Deno.env.get(name)),
    };
  }

  /** Follows `analytics`: starts, retargets or stops. Subscribes synchronously. */
  apply(config: ResolvedConfig): void {
    this.#target = config.analytics && this.#resolve(config.analytics);
    if (this.#target === null) {
      this.#off?.();
      this.#off = null;
      this.#queue = [];
      clearTimeout(this.#timer);
      return;
    }
    this.#off ??= this.#bus.on("app.event", (event) => this.#add(event));
  }

  /** Queues the app events emitted before this component was loaded. */
  replay(events: readonly SupEvent[]): void {
    for (const event of events) if (event.type === "app.event") this.#add(event);
  }

  /** Sends what waits (one try, bounded by the request timeout), then stops. */
  async close(): Promise<void> {
    this.#off?.();
    this.#off = null;
    clearTimeout(this.#timer);
    await this.#sending;
    if (this.#target && this.#queue.length > 0 && this.#failures === 0) await this.#send();
    this.#target = null;
    this.#queue = [];
  }

  /** Resolves once nothing is queued or in flight (tests). */
  async idle(): Promise<void> {
    while (this.#sending || (this.#queue.length > 0 && this.#failures === 0)) {
      if (!this.#sending) this.#flush();
      await this.#sending;
    }
  }

  #resolve(analytics: ResolvedAnalytics): Target | null {
    const secret = typeof analytics.apiSecret === "string"
      ? analytics.apiSecret
      : this.#options.env(analytics.apiSecret.env);
    if (!secret) {
      const name = typeof analytics.apiSecret === "string" ? "" : analytics.apiSecret.env;
      this.#log.error(
        "Analytics off: the environment variable {name} (analytics.apiSecret) is not set",
        { name },
      );
      return null;
    }
    return {
      url: ga4Url(analytics.endpoint, analytics.measurementId, secret),
      clientId: analytics.clientId ?? hostname(),
      intervalMs: analytics.intervalMs,
    };
  }

  #add(event: SupEvent): void {
    if (event.type !== "app.event" || this.#target === null) return;
    this.#queue.push(ga4Event(event, this.#sessionId));
    if (this.#queue.length > this.#options.maxQueued) {
      this.#queue.shift();
      this.stats.dropped++;
      if (this.#dropped++ === 0) {
        this.#log.warn("Analytics: more than {max} events wait, dropping the oldest", {
          max: this.#options.maxQueued,
        });
      }
    }
    if (this.#sending || this.#failures > 0) return; // the retry timer or the send in flight goes on
    if (this.#queue.length >= GA4_MAX_EVENTS) this.#flush();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#flush(), this.#target.intervalMs);
    }
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#sending || this.#queue.length === 0 || this.#target === null) return;
    this.#sending = this.#send().finally(() => {
      this.#sending = null;
      if (this.#failures > 0) return; // a retry timer is set
      if (this.#queue.length >= GA4_MAX_EVENTS) this.#flush();
      else if (this.#queue.length > 0 && this.#target) {
        this.#timer = setTimeout(() => this.#flush(), this.#target.intervalMs);
      }
    });
  }

  async #send(): Promise<void> {
    const target = this.#target!;
    const batch = this.#queue.splice(0, GA4_MAX_EVENTS);
    this.stats.requests++;
    const outcome = await postJson(target.url, ga4Body(target.clientId, batch));
    if (outcome.kind === "ok") {
      this.stats.sent += batch.length;
      if (this.#failures > 0) {
        this.#log.info("Analytics: sending again after {n} failures", { n: this.#failures });
      }
      this.#failures = 0;
      if (this.#dropped > 0) {
        this.#log.warn("Analytics: {dropped} events were dropped", { dropped: this.#dropped });
        this.#dropped = 0;
      }
      return;
    }
    if (outcome.kind === "refused") {
      this.stats.dropped += batch.length;
      this.#log.error("Analytics refused {n} events ({error}): dropped", {
        n: batch.length,
        error: redact(outcome.error),
      });
      return;
    }
    // Try the batch again later, in front of what came meanwhile (still bounded).
    this.#queue.unshift(...batch);
    const over = this.#queue.length - this.#options.maxQueued;
    if (over > 0) {
      this.#queue.splice(0, over);
      this.stats.dropped += over;
      this.#dropped += over;
    }
    this.#failures++;
    const delay = Math.max(outcome.afterMs ?? 0, backoffMs(this.#failures, this.#options.retryMs));
    if (this.#failures === 1) {
      this.#log.warn("Analytics: cannot send ({error}); trying again with a growing delay", {
        error: redact(outcome.error),
      });
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#retry();
    }, Math.min(delay, 5 * 60_000));
  }

  #retry(): void {
    if (this.#sending || this.#target === null || this.#queue.length === 0) return;
    this.#sending = this.#send().finally(() => {
      this.#sending = null;
      if (this.#failures === 0) this.#flush();
    });
  }
}

/** Keeps the API secret out of log lines (errors may quote the URL). */
function redact(text: string): string {
  return text.replace(/api_secret=[^&\s"]+/g, "api_secret=…");
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "sup";
  }
}
