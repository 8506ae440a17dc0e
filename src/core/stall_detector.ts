/**
 * Notices when sup itself did not run: its own timer fires later than asked
 * by more than a threshold (sup was stopped with SIGSTOP, the machine was
 * suspended, the event loop was blocked, or the wall clock jumped forward).
 * Then it emits `sup.stalled`, so watchdogs give their deadlines a fresh
 * grace period instead of blaming jobs for time sup did not see.
 *
 * It ticks on its own timer, and `check()` lets a watchdog ask at the very
 * moment a deadline fires: after SIGCONT the runtime runs every overdue timer
 * before it reads a socket, so the watchdog's may run before this one's.
 * Both the monotonic clock (which counts a SIGSTOP) and the wall clock
 * (which also counts a suspend and jumps) are compared.
 *
 * @module
 */

import type { EventBus } from "./event_bus.ts";
import { type Clock, realClock, type TimerHandle } from "./clock.ts";

/** Asks, now, whether sup just stalled (emitting `sup.stalled` if so). */
export interface StallCheck {
  /** The stall seen just now in ms (0 when none); a stall is reported once. */
  check(): number;
}

/** Tuning of a stall detector. */
export interface StallDetectorOptions {
  /** Where `sup.stalled` goes. */
  bus: EventBus;
  /** How often the detector's timer ticks. @default 500 */
  intervalMs?: number;
  /** How late a tick may be before it counts as a stall. @default 1000 */
  thresholdMs?: number;
  /** Wall clock and timers. @default the real clock */
  clock?: Clock;
  /** A monotonic clock in ms. @default performance.now */
  monotonic?: () => number;
}

/** Watches sup's own timers for stalls; `close()` stops it. */
export class StallDetector implements StallCheck {
  #bus: EventBus;
  #intervalMs: number;
  #thresholdMs: number;
  #clock: Clock;
  #monotonic: () => number;
  #lastWall: number;
  #lastMono: number;
  #timer: TimerHandle | null = null;
  #closed = false;

  /** Starts ticking at once. */
  constructor(options: StallDetectorOptions) {
    this.#bus = options.bus;
    this.#intervalMs = options.intervalMs ?? 500;
    this.#thresholdMs = options.thresholdMs ?? 1000;
    this.#clock = options.clock ?? realClock;
    this.#monotonic = options.monotonic ?? (() => performance.now());
    this.#lastWall = this.#clock.now();
    this.#lastMono = this.#monotonic();
    this.#arm();
  }

  /** See `StallCheck.check`. */
  check(): number {
    if (this.#closed) return 0;
    const wall = this.#clock.now();
    const mono = this.#monotonic();
    // How long since the last tick, beyond the interval, by either clock (a wall clock that
    // went back counts as no time).
    const gone = Math.max(wall - this.#lastWall, mono - this.#lastMono);
    const late = Math.round(gone - this.#intervalMs);
    if (late <= this.#thresholdMs && wall >= this.#lastWall) return 0;
    this.#lastWall = wall;
    this.#lastMono = mono;
    if (late <= this.#thresholdMs) return 0; // the wall clock went back: restart counting
    this.#bus.emit({ type: "sup.stalled", stalledMs: late, at: wall });
    return late;
  }

  /** Stops ticking. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(): void {
    this.#timer = this.#clock.setTimeout(() => this.#tick(), this.#intervalMs);
  }

  #tick(): void {
    this.#timer = null;
    if (this.#closed) return;
    this.check();
    this.#lastWall = this.#clock.now();
    this.#lastMono = this.#monotonic();
    this.#arm();
  }
}
