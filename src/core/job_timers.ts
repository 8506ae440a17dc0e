/**
 * A job's state-machine timers (kill, backoff, fatal retry, startup window):
 * at most one of each, each delivering its input when it fires. Nothing
 * polls. Any length works (`retryFatalAfter: "30d"`): they chain past
 * `setTimeout`'s 24.8-day limit.
 *
 * @module
 */

import type { JobInput, JobTimer } from "./job_state.ts";
import { clearLongTimeout, type LongTimeout, setLongTimeout } from "./long_timeout.ts";

/** The input a timer delivers when it fires. */
export const TIMER_INPUTS: Readonly<Record<JobTimer, JobInput>> = {
  kill: { type: "killTimeout" },
  backoff: { type: "backoffElapsed" },
  fatalRetry: { type: "fatalRetryElapsed" },
  uptime: { type: "startupWindowElapsed" },
};

/** One job's timers. */
export class JobTimers {
  #ids = new Map<JobTimer, LongTimeout>();
  #fire: (input: JobInput) => void;

  /** @param fire receives the timer's input (`TIMER_INPUTS`) when it fires */
  constructor(fire: (input: JobInput) => void) {
    this.#fire = fire;
  }

  /** (Re)arms `timer` to fire in `ms`. */
  set(timer: JobTimer, ms: number): void {
    this.clear(timer);
    const id = setLongTimeout(() => {
      this.#ids.delete(timer);
      this.#fire(TIMER_INPUTS[timer]);
    }, ms);
    this.#ids.set(timer, id);
  }

  /** Cancels `timer` if it is armed. */
  clear(timer: JobTimer): void {
    const id = this.#ids.get(timer);
    if (id === undefined) return;
    clearLongTimeout(id);
    this.#ids.delete(timer);
  }

  /** Cancels every timer (shutdown). */
  clearAll(): void {
    for (const id of this.#ids.values()) clearLongTimeout(id);
    this.#ids.clear();
  }
}
