/**
 * supervisord's tick events: `tick.5`, `tick.60` and `tick.3600`, emitted
 * when the wall clock passes a multiple of 5 s, 1 min or 1 h, and only
 * while some listener listens to them (a config without such a listener
 * sets no timer at all). Ticks missed while sup was stalled are not made
 * up for: the next one comes at the next multiple.
 *
 * @module
 */

import { type Clock, realClock, type TimerHandle } from "../core/clock.ts";
import type { SupEvent } from "../core/events.ts";

/** The tick events. */
export type TickType = "tick.5" | "tick.60" | "tick.3600";

/** Each tick's period in milliseconds. */
export const TICK_PERIODS: Readonly<Record<TickType, number>> = {
  "tick.5": 5_000,
  "tick.60": 60_000,
  "tick.3600": 3_600_000,
};

/** True for a tick's event type. */
export function isTick(type: string): type is TickType {
  return Object.hasOwn(TICK_PERIODS, type);
}

/** Emits the tick events someone wants, aligned to the wall clock. */
export class Ticks {
  #emit: (event: SupEvent) => void;
  #clock: Clock;
  #timers = new Map<TickType, { due: number; handle: TimerHandle }>();

  /** Ticks go to `emit` (the bus's); time comes from `clock`. */
  constructor(emit: (event: SupEvent) => void, clock: Clock = realClock) {
    this.#emit = emit;
    this.#clock = clock;
  }

  /** The tick types being emitted now. */
  get active(): TickType[] {
    return [...this.#timers.keys()];
  }

  /** Emits exactly the tick types among `wanted` from now on (other types are ignored). */
  want(wanted: Iterable<string>): void {
    const next = new Set([...wanted].filter(isTick));
    for (const [type, timer] of this.#timers) {
      if (next.has(type)) continue;
      this.#clock.clearTimeout(timer.handle);
      this.#timers.delete(type);
    }
    for (const type of next) {
      if (!this.#timers.has(type)) this.#schedule(type, this.#after(type, this.#clock.now()));
    }
  }

  /** Stops every tick. */
  close(): void {
    this.want([]);
  }

  /** The first multiple of the period after `now`. */
  #after(type: TickType, now: number): number {
    const period = TICK_PERIODS[type];
    return (Math.floor(now / period) + 1) * period;
  }

  #schedule(type: TickType, due: number): void {
    const handle = this.#clock.setTimeout(() => this.#fire(type, due), due - this.#clock.now());
    this.#timers.set(type, { due, handle });
  }

  #fire(type: TickType, due: number): void {
    if (this.#timers.get(type)?.due !== due) return;
    const now = this.#clock.now();
    // A timer that fired a little early still ticks for its multiple, once.
    const next = due + TICK_PERIODS[type] > now ? due + TICK_PERIODS[type] : this.#after(type, now);
    this.#schedule(type, next);
    this.#emit({ type, at: Math.max(now, due) } as SupEvent);
  }
}
