/**
 * Records every event on a bus and waits, with a bound, for one that matches.
 *
 * @module
 */

import type { EventBus } from "../../src/core/event_bus.ts";
import type { SupEvent } from "../../src/core/events.ts";

/** Every event seen since `record()` and a bounded wait for the next match. */
export interface EventLog {
  readonly events: SupEvent[];
  /** Resolves with the first event (past or future) matching `pred`; rejects after `timeoutMs`. */
  waitFor<E extends SupEvent = SupEvent>(
    pred: (event: SupEvent) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<E>;
  /** Like `waitFor` but only for events after index `from`. */
  waitAfter<E extends SupEvent = SupEvent>(
    from: number,
    pred: (event: SupEvent) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<E>;
  stop(): void;
}

/** Starts recording `bus`. */
export function record(bus: EventBus): EventLog {
  const events: SupEvent[] = [];
  const waiters = new Set<(event: SupEvent) => void>();
  const off = bus.onAny((event) => {
    events.push(event);
    for (const w of waiters) w(event);
  });
  function waitAfter<E extends SupEvent>(
    from: number,
    pred: (event: SupEvent) => boolean,
    what: string,
    timeoutMs = 10_000,
  ): Promise<E> {
    const past = events.slice(from).find(pred);
    if (past) return Promise.resolve(past as E);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        const seen = events.slice(-15).map((e) => JSON.stringify(e)).join("\n  ");
        reject(
          new Error(`Timed out after ${timeoutMs}ms waiting for ${what}; last events:\n  ${seen}`),
        );
      }, timeoutMs);
      const check = (event: SupEvent) => {
        if (!pred(event)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(event as E);
      };
      waiters.add(check);
    });
  }
  return {
    events,
    waitFor: (pred, what, timeoutMs) => waitAfter(0, pred, what, timeoutMs),
    waitAfter,
    stop: () => {
      off();
      waiters.clear();
    },
  };
}
