/**
 * Reports a listener's failures (it threw, timed out, fell behind) as a log
 * line and a `listener.failed` event, at a bounded rate: the first of each
 * problem at once, then at most one summary per interval with the count of
 * those in between. A listener that throws on each of 1,000 events a second
 * costs one line every few seconds, not a thousand.
 *
 * @module
 */

import type { SupEvent } from "../core/events.ts";
import type { ListenerLogger } from "./listener.ts";
import type { ListenerProblem } from "./listener_worker.ts";

/** Shortest time between two reports of one problem of one listener. */
export const REPORT_INTERVAL_MS = 5_000;

interface ProblemState {
  last: number;
  suppressed: number;
  lastMessage: string;
  timer: ReturnType<typeof setTimeout> | null;
}

/** The failure reports of one listener. */
export class FailureReports {
  #listener: string;
  #emit: (event: SupEvent) => void;
  #log: ListenerLogger;
  #intervalMs: number;
  #states = new Map<ListenerProblem, ProblemState>();
  /** Failures by problem since the listener started (all of them, reported or not). */
  readonly counts: Record<ListenerProblem, number> = { threw: 0, timeout: 0, overflow: 0 };

  /** Reports of `listener`, to `emit` (the bus) and `log`. */
  constructor(
    listener: string,
    emit: (event: SupEvent) => void,
    log: ListenerLogger,
    intervalMs = REPORT_INTERVAL_MS,
  ) {
    this.#listener = listener;
    this.#emit = emit;
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  /** Counts a failure; reports it now, or in the next summary. */
  report(problem: ListenerProblem, message: string): void {
    this.counts[problem]++;
    let state = this.#states.get(problem);
    if (!state) {
      this.#states.set(
        problem,
        state = { last: -Infinity, suppressed: 0, lastMessage: "", timer: null },
      );
    }
    const now = Date.now();
    if (now - state.last >= this.#intervalMs) {
      state.last = now;
      this.#publish(problem, message);
      return;
    }
    state.suppressed++;
    state.lastMessage = message;
    state.timer ??= setTimeout(() => {
      state.timer = null;
      this.#summarize(problem, state);
    }, state.last + this.#intervalMs - now);
  }

  /** Reports what is still counted and stops the timers. */
  close(): void {
    for (const [problem, state] of this.#states) {
      if (state.timer !== null) clearTimeout(state.timer);
      state.timer = null;
      this.#summarize(problem, state);
    }
  }

  #summarize(problem: ListenerProblem, state: ProblemState): void {
    if (state.suppressed === 0) return;
    const times = state.suppressed === 1 ? "once more" : `${state.suppressed} more times`;
    state.last = Date.now();
    state.suppressed = 0;
    this.#publish(problem, `${state.lastMessage} (${times} since the last report)`);
  }

  #publish(problem: ListenerProblem, message: string): void {
    const line = `Listener "${this.#listener}" ${message}`;
    if (problem === "threw") this.#log.error(line);
    else this.#log.warn(line);
    this.#emit({
      type: "listener.failed",
      listener: this.#listener,
      problem,
      message,
      at: Date.now(),
    });
  }
}
