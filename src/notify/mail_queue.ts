/**
 * The bounded retry queue in front of a mail transport: messages go out one
 * at a time in order; while delivery fails they are retried with a backoff
 * that doubles up to a maximum; the queue holds at most `maxSize` messages
 * (the oldest waiting one is dropped to make room), and a message still not
 * delivered `giveUpAfterMs` after it was queued is given up. A permanent
 * refusal (an SMTP 5xx reply) is not retried. Time comes from a `Clock`, so
 * tests drive the backoff with fake time.
 *
 * @module
 */

import { type Clock, realClock, type TimerHandle } from "../core/clock.ts";

/** What became of one queued item. */
export type QueueOutcome =
  | { ok: true; attempts: number; detail: string }
  | { ok: false; attempts: number; error: string; dropped: boolean };

/** A failed attempt: `permanent` ones are not retried. */
export class DeliveryError extends Error {
  override name = "DeliveryError";
  /** @param permanent true when retrying cannot help (the server refused the message itself) */
  constructor(message: string, readonly permanent: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What the queue reports as it works (each call is isolated: a throwing hook is ignored). */
export interface QueueHooks<T> {
  sent?(item: T, attempts: number, detail: string): void;
  failed?(item: T, error: string, willRetry: boolean): void;
  /** `dropped` counts every item dropped since the queue was made. */
  dropped?(item: T, dropped: number): void;
}

/** Settings of a `RetryQueue`. */
export interface RetryQueueOptions<T> {
  /** Delivers one item; resolves with a detail (the server's reply), throws to fail. */
  deliver(item: T): Promise<string>;
  maxSize: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  giveUpAfterMs: number;
  hooks?: QueueHooks<T>;
  clock?: Clock;
}

interface Entry<T> {
  item: T;
  queuedAt: number;
  attempts: number;
  resolve(outcome: QueueOutcome): void;
}

/** A FIFO of items delivered one at a time, retried with backoff, bounded. */
export class RetryQueue<T> {
  #entries: Entry<T>[] = [];
  #options: RetryQueueOptions<T>;
  #clock: Clock;
  #busy = false;
  #timer: TimerHandle | null = null;
  #delayMs = 0;
  #dropped = 0;
  #closed = false;
  #idle = new Set<() => void>();

  constructor(options: RetryQueueOptions<T>) {
    this.#options = options;
    this.#clock = options.clock ?? realClock;
  }

  /** Items waiting or being delivered. */
  get size(): number {
    return this.#entries.length;
  }

  /** Items dropped because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Queues `item`; resolves when it was delivered, given up or dropped. Never rejects. */
  push(item: T): Promise<QueueOutcome> {
    if (this.#closed) {
      return Promise.resolve({ ok: false, attempts: 0, error: "sup is stopping", dropped: true });
    }
    const promise = new Promise<QueueOutcome>((resolve) => {
      this.#entries.push({ item, queuedAt: this.#clock.now(), attempts: 0, resolve });
    });
    while (this.#entries.length > this.#options.maxSize) this.#dropOldest();
    this.#kick();
    return promise;
  }

  /** Resolves once nothing is queued, or after `timeoutMs`; true when empty. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.#entries.length === 0) return true;
    let wake = () => {};
    const empty = new Promise<void>((resolve) => this.#idle.add(wake = resolve));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => timer = setTimeout(resolve, timeoutMs));
    // Retry now rather than after the backoff: this is the last chance.
    if (this.#timer !== null) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = null;
      this.#kick();
    }
    await Promise.race([empty, late]);
    clearTimeout(timer);
    this.#idle.delete(wake);
    return this.#entries.length === 0;
  }

  /** Stops retrying; what is still queued resolves as not delivered. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    for (const entry of this.#entries.splice(0)) {
      entry.resolve({ ok: false, attempts: entry.attempts, error: "sup stopped", dropped: true });
    }
  }

  /** Drops the oldest item that is not being delivered right now. */
  #dropOldest(): void {
    const index = this.#busy ? 1 : 0;
    const [entry] = this.#entries.splice(index, 1);
    if (!entry) return;
    this.#dropped++;
    this.#hook(() => this.#options.hooks?.dropped?.(entry.item, this.#dropped));
    entry.resolve({
      ok: false,
      attempts: entry.attempts,
      error: `dropped: the queue was full (${this.#options.maxSize} messages)`,
      dropped: true,
    });
  }

  #kick(): void {
    if (this.#busy || this.#timer !== null || this.#closed) return;
    void this.#next();
  }

  async #next(): Promise<void> {
    const entry = this.#entries[0];
    if (!entry) {
      for (const wake of this.#idle) wake();
      return;
    }
    this.#busy = true;
    entry.attempts++;
    let outcome: QueueOutcome | null = null;
    let retryIn = 0;
    try {
      const detail = await this.#options.deliver(entry.item);
      outcome = { ok: true, attempts: entry.attempts, detail };
      this.#delayMs = 0;
      this.#hook(() => this.#options.hooks?.sent?.(entry.item, entry.attempts, detail));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const permanent = error instanceof DeliveryError && error.permanent;
      const expired = this.#clock.now() - entry.queuedAt >= this.#options.giveUpAfterMs;
      const willRetry = !permanent && !expired && !this.#closed;
      this.#hook(() => this.#options.hooks?.failed?.(entry.item, message, willRetry));
      if (!willRetry) {
        const why = permanent ? message : `gave up after ${entry.attempts} attempts: ${message}`;
        outcome = { ok: false, attempts: entry.attempts, error: why, dropped: false };
      } else {
        this.#delayMs = this.#delayMs === 0
          ? this.#options.backoffInitialMs
          : Math.min(this.#delayMs * 2, this.#options.backoffMaxMs);
        retryIn = this.#delayMs;
      }
    }
    this.#busy = false;
    if (this.#closed) return;
    if (outcome) {
      // The entry may have been dropped meanwhile only if it was not the one in flight.
      const index = this.#entries.indexOf(entry);
      if (index >= 0) this.#entries.splice(index, 1);
      entry.resolve(outcome);
      this.#kick();
      if (this.#entries.length === 0) { for (const wake of this.#idle) wake(); }
      return;
    }
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#kick();
    }, retryIn);
  }

  #hook(call: () => void): void {
    try {
      call();
    } catch {
      // A reporting hook must not stop delivery.
    }
  }
}
