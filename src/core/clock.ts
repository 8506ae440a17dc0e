/**
 * Time as the watchdogs see it: the wall clock and one-shot timers, passed in
 * so unit tests can drive deadlines with fake time.
 *
 * @module
 */

import { clearLongTimeout, type LongTimeout, setLongTimeout } from "./long_timeout.ts";

/** An opaque timer handle. */
export type TimerHandle = unknown;

/** A clock with one-shot timers. */
export interface Clock {
  /** Milliseconds since the epoch (the same scale as event `at`). */
  now(): number;
  /** Calls `fn` once after `ms`; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; unknown handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `Date.now` and the runtime's timers, chained past 24.8 days. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setLongTimeout(fn, ms),
  clearTimeout: (handle) => clearLongTimeout(handle as LongTimeout),
};
