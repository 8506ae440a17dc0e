/**
 * Notices when sup itself did not run: a timer fires later than it was due
 * by more than a threshold (sup was stopped with SIGSTOP, the machine was
 * suspended, the event loop was blocked, or the wall clock jumped forward).
 * Then it emits `sup.stalled`, so watchdogs give their deadlines a fresh
 * grace period instead of blaming jobs for time sup did not see.
 *
 * Every watchdog knows when its own timer was due and asks `check(dueAt)`
 * the moment it fires: after SIGCONT the runtime runs the overdue timers in
 * order, and the first one to ask reports the stall (once). The detector's
 * own slow tick reports stalls while no watchdog has a timer. Lateness is
 * measured on the wall clock, which counts a SIGSTOP, a suspend and a jump
 * (timers run on the monotonic clock, which counts no suspend); a clock set
 * back makes timers early, never late.
 *
 * @module
 */

import type { EventBus } from "./event_bus.ts";
import { type Clock, realClock, type TimerHandle } from "./clock.ts";

/** Asks whether a timer that fires now ran late because sup stalled. */
export interface StallCheck {
  /**
   * A timer due at `dueAt` (ms since the epoch) fires now: how late it is when
   * that means sup stalled (emitting `sup.stalled` once per stall), else 0.
   */
  check(dueAt: number): number;
}

/** Tuning of a stall detector. */
export interface StallDetectorOptions {
  /** Where `sup.stalled` goes. */
  bus: EventBus;
  /** How often the detector's own timer ticks (one wake-up per tick). @default 5000 */
  intervalMs?: number;
  /** How late a timer may fire before it counts as a stall. @default 1000 */
  thresholdMs?: number;
  /** Wall clock and timers. @default the real clock */
  clock?: Clock;
}

/** Watches sup's timers for stalls; `close()` stops it. */
export class StallDetector implements StallCheck {
  #bus: EventBus;
  #intervalMs: number;
  #thresholdMs: number;
  #clock: Clock;
  /** When the last stall was reported: timers due before it were late by that same stall. */
  #reportedAt = 0;
  #timer: TimerHandle | null = null;
  #closed = false;

  /** Starts ticking at once. */
  constructor(options: StallDetectorOptions) {
    this.#bus = options.bus;
    this.#intervalMs = options.intervalMs ?? 5000;
    this.#thresholdMs = options.thresholdMs ?? 1000;
    this.#clock = options.clock ?? realClock;
    this.#arm();
  }

  /** See `StallCheck.check`. */
  check(dueAt: number): number {
    if (this.#closed) return 0;
    const now = this.#clock.now();
    const late = Math.round(now - dueAt);
    if (late <= this.#thresholdMs) return 0;
    if (dueAt >= this.#reportedAt) {
      this.#reportedAt = now;
      this.#bus.emit({ type: "sup.stalled", stalledMs: late, at: now });
    }
    return late;
  }

  /** Stops ticking. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(): void {
    const dueAt = this.#clock.now() + this.#intervalMs;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      if (this.#closed) return;
      this.check(dueAt);
      this.#arm();
    }, this.#intervalMs);
  }
}
