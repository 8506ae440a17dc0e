/**
 * The delivery queue of one webhook: messages are POSTed one at a time, in
 * order (so a chat shows them in order and a rate limit is met one request
 * at a time). A message that fails in a way worth retrying (no connection,
 * a timeout, a 5xx, 429) is tried again after a doubling delay (or the wait
 * the server asks for), up to 10 attempts (about 14 minutes); one the
 * server refuses for good (another 4xx) is given up at once. At most 100
 * messages wait: the oldest waiting is dropped first, counted and logged.
 * Every outcome is an event: `notify.sent`, `notify.failed` (with
 * `willRetry`), `notify.dropped`.
 *
 * @module
 */

import type { EventBus } from "../core/event_bus.ts";
import type { Delivery } from "../core/notification.ts";
import type { ListenerLogger } from "./listener.ts";
import type { WebhookMessage } from "./webhook_format.ts";
import { backoffMs, postJson, type PostOutcome } from "./webhook_http.ts";

/** What a sender is built from. */
export interface WebhookSenderOptions {
  /** Its name in logs and events, e.g. `"webhook:slack"`. */
  name: string;
  url: string;
  headers?: Record<string, string>;
  /** Where `notify.*` events go. @default none */
  bus?: EventBus | null;
  log: Pick<ListenerLogger, "info" | "warn" | "error">;
  /** Messages waiting at most. @default 100 */
  maxQueued?: number;
  /** Attempts per message at most. @default 10 */
  maxAttempts?: number;
  /** The first retry delay, doubled per failure. @default 1 s */
  retryMs?: number;
  /** The longest retry delay. @default 5 min */
  maxRetryMs?: number;
  /** Sends one request (tests). @default `postJson` */
  post?: (url: string, body: string, headers: Record<string, string>) => Promise<PostOutcome>;
}

interface Pending {
  message: WebhookMessage;
  attempts: number;
  done: (delivery: Delivery) => void;
}

/** Counters (tests, status). */
export interface SenderStats {
  sent: number;
  failed: number;
  dropped: number;
  requests: number;
}

/** Delivers messages to one webhook; see the module doc. */
export class WebhookSender {
  readonly name: string;
  readonly stats: SenderStats = { sent: 0, failed: 0, dropped: 0, requests: 0 };
  #o: Required<Omit<WebhookSenderOptions, "bus">> & { bus: EventBus | null };
  #queue: Pending[] = [];
  #pumping = false;
  #closing = false;
  #wake: (() => void) | null = null;
  #idle: (() => void)[] = [];

  /** A sender with nothing queued. */
  constructor(options: WebhookSenderOptions) {
    this.name = options.name;
    this.#o = {
      headers: {},
      maxQueued: 100,
      maxAttempts: 10,
      retryMs: 1_000,
      maxRetryMs: 5 * 60_000,
      post: postJson,
      ...options,
      bus: options.bus ?? null,
    };
  }

  /** Messages waiting or in flight. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Queues `message`; resolves when it was delivered or given up. Never
   * rejects. After `close()` a message still gets one try (no retries), so
   * what listeners send while sup stops is not lost for nothing.
   */
  send(message: WebhookMessage): Promise<Delivery> {
    const delivery = new Promise<Delivery>((done) => {
      this.#queue.push({ message, attempts: 0, done });
    });
    if (this.#queue.length > this.#o.maxQueued) this.#dropOldest();
    if (!this.#pumping) void this.#pump();
    return delivery;
  }

  /** POSTs `message` once, now, past the queue (`sup notify test`). */
  async test(message: WebhookMessage): Promise<Delivery> {
    const outcome = await this.#o.post(this.#o.url, message.body, this.#o.headers);
    return outcome.kind === "ok"
      ? { notifier: this.name, ok: true, detail: `HTTP ${outcome.status}` }
      : { notifier: this.name, ok: false, error: outcome.error };
  }

  /**
   * Stops retrying: what waits gets one last try each within `boundMs`;
   * the rest is given up.
   */
  async close(boundMs = 2_000): Promise<void> {
    this.#closing = true;
    this.#wake?.();
    if (this.#queue.length > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#idle.push(resolve)),
        new Promise<void>((resolve) => timer = setTimeout(resolve, boundMs)),
      ]);
      clearTimeout(timer);
    }
    for (const pending of this.#queue.splice(0)) {
      const error = "not delivered before sup stopped";
      this.stats.failed++;
      this.#emit({
        type: "notify.failed",
        notifier: this.name,
        subject: pending.message.subject,
        error,
        willRetry: false,
      });
      pending.done({ notifier: this.name, ok: false, error });
    }
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        const pending = this.#queue[0];
        pending.attempts++;
        this.stats.requests++;
        const outcome = await this.#o.post(this.#o.url, pending.message.body, this.#o.headers);
        if (this.#queue[0] !== pending) continue; // given up by close() meanwhile
        if (outcome.kind === "ok") {
          this.#queue.shift();
          this.stats.sent++;
          this.#emit({
            type: "notify.sent",
            notifier: this.name,
            subject: pending.message.subject,
            attempts: pending.attempts,
          });
          pending.done({ notifier: this.name, ok: true, detail: `HTTP ${outcome.status}` });
          continue;
        }
        const last = outcome.kind === "refused" || this.#closing ||
          pending.attempts >= this.#o.maxAttempts;
        this.#emit({
          type: "notify.failed",
          notifier: this.name,
          subject: pending.message.subject,
          error: outcome.error,
          willRetry: !last,
        });
        if (last) {
          this.#queue.shift();
          this.stats.failed++;
          const why = outcome.kind === "refused" ? "refused" : `failed ${pending.attempts} times`;
          this.#o.log.error(
            `${this.name}: gave up on "${pending.message.subject}" (${why}): ${outcome.error}`,
          );
          pending.done({ notifier: this.name, ok: false, error: outcome.error });
          continue;
        }
        const delay = Math.min(
          this.#o.maxRetryMs,
          Math.max(
            outcome.afterMs ?? 0,
            backoffMs(pending.attempts, this.#o.retryMs, this.#o.maxRetryMs),
          ),
        );
        if (pending.attempts === 1) {
          this.#o.log.warn(`${this.name}: cannot post (${outcome.error}); retrying in ${delay} ms`);
        }
        await this.#sleep(delay);
      }
    } finally {
      this.#pumping = false;
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }

  /** Waits `ms`, or less when `close()` wakes it. */
  #sleep(ms: number): Promise<void> {
    if (this.#closing) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }

  #dropOldest(): void {
    // The head may be in flight: drop the oldest after it.
    const index = this.#pumping ? 1 : 0;
    const [dropped] = this.#queue.splice(index, 1);
    if (!dropped) return;
    this.stats.dropped++;
    this.#emit({
      type: "notify.dropped",
      notifier: this.name,
      subject: dropped.message.subject,
      dropped: this.stats.dropped,
    });
    if (this.stats.dropped === 1 || this.stats.dropped % 100 === 0) {
      this.#o.log.warn(
        `${this.name}: more than ${this.#o.maxQueued} messages wait; dropped the oldest (${this.stats.dropped} so far)`,
      );
    }
    dropped.done({ notifier: this.name, ok: false, error: "dropped: too many messages waiting" });
  }

  #emit(
    event:
      | { type: "notify.sent"; notifier: string; subject: string; attempts: number }
      | {
        type: "notify.failed";
        notifier: string;
        subject: string;
        error: string;
        willRetry: boolean;
      }
      | { type: "notify.dropped"; notifier: string; subject: string; dropped: number },
  ): void {
    this.#o.bus?.emit({ ...event, at: Date.now() });
  }
}
