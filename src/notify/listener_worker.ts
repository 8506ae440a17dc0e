/**
 * Drives one listener: its events wait in a bounded queue and are handed to
 * it one at a time, away from whoever emitted them. A call that throws is
 * reported; one whose promise does not settle within the listener's timeout
 * is abandoned (reported, the next event goes on); when the queue is full
 * the oldest event is dropped (counted, reported). The drain yields to the
 * event loop every few milliseconds, so a busy listener never holds up
 * sup's timers (restarts, heartbeat deadlines) for longer than that.
 *
 * @module
 */

import type { SupEvent } from "../core/events.ts";

/** What goes wrong with a listener, as `listener.failed` names it. */
export type ListenerProblem = "threw" | "timeout" | "overflow";

/** The part of a listener a worker calls. */
export interface WorkerTarget {
  /** Handles one event. */
  handle(event: SupEvent): void | Promise<void>;
}

/** How a worker is bounded and where it reports. */
export interface WorkerOptions {
  /** How long one call may take. */
  timeoutMs: number;
  /** Events waiting at most. */
  queueSize: number;
  /** Receives every failure (the caller rate-limits what it logs). */
  report(problem: ListenerProblem, message: string): void;
}

/** A worker's counters. */
export interface WorkerStats {
  /** Events waiting now. */
  queued: number;
  /** Calls made. */
  handled: number;
  /** Calls that threw or rejected. */
  threw: number;
  /** Calls abandoned at the timeout (or that blocked past it). */
  timeouts: number;
  /** Events dropped because the queue was full. */
  dropped: number;
}

/** Longest run of calls before the drain lets timers and I/O in. */
export const SLICE_MS = 5;

/** A fixed-size ring of events: pushing onto a full one drops the oldest. */
class EventRing {
  #items: (SupEvent | undefined)[];
  #head = 0;
  length = 0;

  constructor(readonly capacity: number) {
    this.#items = new Array(capacity);
  }

  /** Adds `event`; returns true when the oldest had to go. */
  push(event: SupEvent): boolean {
    const full = this.length === this.capacity;
    this.#items[(this.#head + this.length) % this.capacity] = event;
    if (full) this.#head = (this.#head + 1) % this.capacity;
    else this.length++;
    return full;
  }

  shift(): SupEvent | undefined {
    if (this.length === 0) return undefined;
    const event = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.length--;
    return event;
  }

  clear(): void {
    this.#items.fill(undefined);
    this.#head = 0;
    this.length = 0;
  }
}

const yieldToLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Queues events for one listener and calls it, bounded and isolated. */
export class ListenerWorker {
  #target: WorkerTarget;
  #options: WorkerOptions;
  #queue: EventRing;
  #draining: Promise<void> | null = null;
  #stopped = false;
  #stats = { handled: 0, threw: 0, timeouts: 0, dropped: 0 };

  /** A worker for `target`; events arrive with `push`. */
  constructor(target: WorkerTarget, options: WorkerOptions) {
    this.#target = target;
    this.#options = options;
    this.#queue = new EventRing(options.queueSize);
  }

  /** Queues `event` (never calls the listener here: the emitter goes on at once). */
  push(event: SupEvent): void {
    if (this.#stopped) return;
    if (this.#queue.push(event)) {
      this.#stats.dropped++;
      this.#options.report(
        "overflow",
        `fell behind: ${this.#options.queueSize} events were waiting, the oldest was dropped`,
      );
    }
    this.#kick();
  }

  /** Starts a drain on a later turn of the event loop, unless one runs. */
  #kick(): void {
    if (this.#draining !== null || this.#stopped) return;
    this.#draining = yieldToLoop().then(() => this.#drain()).finally(() => {
      this.#draining = null;
      if (this.#queue.length > 0) this.#kick();
    });
  }

  /** Counters since the worker was made. */
  stats(): WorkerStats {
    return { queued: this.#queue.length, ...this.#stats };
  }

  /** Resolves true once the queue is empty and no call runs, false after `ms`. */
  async idle(ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (this.#draining !== null) {
      const left = end - Date.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => timer = setTimeout(resolve, left));
      await Promise.race([this.#draining, late]);
      clearTimeout(timer);
    }
    return true;
  }

  /** Takes no more events and drops those waiting. */
  stop(): void {
    this.#stopped = true;
    this.#queue.clear();
  }

  async #drain(): Promise<void> {
    let slice = performance.now();
    for (let event = this.#queue.shift(); event !== undefined; event = this.#queue.shift()) {
      await this.#call(event);
      if (this.#stopped) return;
      if (performance.now() - slice >= SLICE_MS) {
        await yieldToLoop();
        slice = performance.now();
      }
    }
  }

  /** One call: reports a throw, a rejection, a timeout; never throws. */
  async #call(event: SupEvent): Promise<void> {
    const { timeoutMs, report } = this.#options;
    this.#stats.handled++;
    const started = performance.now();
    let result: void | Promise<void>;
    try {
      result = this.#target.handle(event);
    } catch (error) {
      this.#stats.threw++;
      report("threw", `threw on "${event.type}": ${errorText(error)}`);
      return;
    }
    if (!isThenable(result)) {
      const took = performance.now() - started;
      if (took > timeoutMs) {
        this.#stats.timeouts++;
        report(
          "timeout",
          `took ${Math.round(took)} ms on "${event.type}" without giving the event loop back ` +
            `(over its ${timeoutMs} ms timeout): make slow work asynchronous`,
        );
      }
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) =>
      timer = setTimeout(() => resolve("late"), timeoutMs)
    );
    try {
      const outcome = await Promise.race([result.then(() => "done" as const), late]);
      if (outcome === "late") {
        this.#stats.timeouts++;
        report(
          "timeout",
          `did not settle within ${timeoutMs} ms on "${event.type}": abandoned, ` +
            `the next event goes on`,
        );
      }
    } catch (error) {
      this.#stats.threw++;
      report("threw", `rejected on "${event.type}": ${errorText(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function isThenable(value: unknown): value is Promise<void> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === "function";
}

/** An error's message (a non-Error as text). */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    return "(an error that cannot be shown)";
  }
}
