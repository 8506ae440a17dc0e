/**
 * One-shot timers of any length. The runtime's `setTimeout` holds at most
 * 2^31-1 ms (about 24.8 days) and fires after 1 ms for anything longer, so a
 * monthly `bounce` would restart a job every millisecond. `setLongTimeout`
 * chains timers of at most `MAX_TIMER_MS` until the whole delay has passed.
 * Every timer sup arms goes through here (the real `Clock` and the
 * supervisor's job timers).
 *
 * @module
 */

/** The longest delay one runtime timer holds (2^31-1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The runtime timer functions (injectable for tests). */
export interface TimerFunctions {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

const runtime: TimerFunctions = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as number),
};

/** A timer that may span several runtime timers; cancel with `clearLongTimeout`. */
export interface LongTimeout {
  /** The runtime timer now pending. */
  id: unknown;
  /** Set once cancelled or fired. */
  done: boolean;
}

/**
 * Calls `fn` once after `ms` (any finite length; NaN and negatives count as
 * 0). Delays up to `MAX_TIMER_MS` cost exactly one runtime timer.
 */
export function setLongTimeout(
  fn: () => void,
  ms: number,
  timers: TimerFunctions = runtime,
): LongTimeout {
  const handle: LongTimeout = { id: undefined, done: false };
  let left = Number.isFinite(ms) && ms > 0 ? ms : 0;
  const step = () => {
    if (left <= MAX_TIMER_MS) {
      handle.id = timers.setTimeout(() => {
        handle.done = true;
        fn();
      }, left);
      return;
    }
    left -= MAX_TIMER_MS;
    handle.id = timers.setTimeout(step, MAX_TIMER_MS);
  };
  step();
  return handle;
}

/** Cancels a timer made by `setLongTimeout`; a fired or cancelled one is ignored. */
export function clearLongTimeout(handle: LongTimeout, timers: TimerFunctions = runtime): void {
  if (handle.done) return;
  handle.done = true;
  timers.clearTimeout(handle.id);
}
