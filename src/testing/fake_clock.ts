/**
 * Fake time for watchdog unit tests: timers run when `advance()` passes them.
 *
 * @module
 */

import type { Clock, TimerHandle } from "../core/clock.ts";

/** A `Clock` whose time moves only when told. */
export class FakeClock implements Clock {
  #now: number;
  #next = 1;
  #timers = new Map<number, { at: number; fn: () => void }>();

  /** @param start the initial time (ms since epoch) */
  constructor(start = 1_000_000) {
    this.#now = start;
  }

  /** The current fake time. */
  now(): number {
    return this.#now;
  }

  /** Schedules `fn` at now + ms. */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  /** Cancels a timer. */
  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as number);
  }

  /** Timers pending. */
  get pending(): number {
    return this.#timers.size;
  }

  /**
   * Moves time forward by `ms` at once, as a stall does (SIGSTOP, suspend, a
   * clock jump): the timers that fell due meanwhile run late, all at the new time.
   */
  jump(ms: number): void {
    this.#now += ms;
    this.advance(0);
  }

  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | null = null;
      for (const entry of this.#timers) {
        if (entry[1].at <= end && (due === null || entry[1].at < due[1].at)) due = entry;
      }
      if (due === null) break;
      this.#timers.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].at);
      due[1].fn();
    }
    this.#now = end;
  }
}
