/**
 * The recent events of a running sup, kept in memory for `sup events` (the
 * history before the live stream starts) and the panel: a bounded ring of
 * the last events of every kind except job output (`sup logs` has its own
 * ring per job) and clock ticks (emitted only while someone listens: a
 * history listening to them would make them tick forever).
 *
 * @module
 */

import type { EventBus, Unsubscribe } from "./event_bus.ts";
import type { SupEvent, SupEventType } from "./events.ts";

/**
 * Which event types the history keeps. A `Record` over every type, so a new
 * event type does not type-check until someone decides here whether
 * `sup events` shows it.
 */
export const HISTORY_TYPES: Readonly<Record<SupEventType, boolean>> = {
  "sup.started": true,
  "sup.stopping": true,
  "sup.stopped": true,
  "sup.stalled": true,
  "job.state": true,
  "job.spawned": true,
  "job.ready": true,
  "job.exited": true,
  "job.backoff": true,
  "job.fatal": true,
  "job.spawnFailed": true,
  "job.action": true,
  "job.signaled": true,
  "job.disabled": true,
  "job.enabled": true,
  "job.output": false, // `sup logs`: each job's own ring
  "config.reloaded": true,
  "config.invalid": true,
  "heartbeat.missed": true,
  "health.failed": true,
  "health.recovered": true,
  "app.log": true,
  "app.event": true,
  "app.message": true,
  "app.missed": true,
  "app.registered": true,
  "app.unregistered": true,
  "channel.rejected": true,
  "notify.sent": true,
  "notify.failed": true,
  "notify.dropped": true,
  "listener.failed": true,
  "machine.action": true,
  "machine.refused": true,
  "log.rotated": true,
  "tick.5": false,
  "tick.60": false,
  "tick.3600": false,
};

/** The types `HISTORY_TYPES` keeps, as a list. */
export const KEPT_TYPES: readonly SupEventType[] = (Object.keys(HISTORY_TYPES) as SupEventType[])
  .filter((type) => HISTORY_TYPES[type]);

/** Events kept by default. */
export const DEFAULT_HISTORY_EVENTS = 1000;

/** The last events on a bus (of the kinds `HISTORY_TYPES` keeps). */
export class EventHistory {
  /** How many events are kept. */
  readonly capacity: number;
  #events: SupEvent[] = [];
  #next = 0;
  #offs: Unsubscribe[];

  /** Keeps the last `capacity` events of `bus` from now on (subscribed by type, never `onAny`). */
  constructor(bus: EventBus, capacity = DEFAULT_HISTORY_EVENTS) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`EventHistory capacity must be a whole number >= 1, got ${capacity}`);
    }
    this.capacity = capacity;
    const keep = (event: SupEvent) => this.#keep(event);
    this.#offs = KEPT_TYPES.map((type) => bus.on(type, keep));
  }

  /** The last `n` events (default all kept), oldest first; with `since`, only those at or after it. */
  recent(n: number = this.capacity, since = -Infinity): SupEvent[] {
    const size = this.#events.length;
    const ordered = size < this.capacity
      ? this.#events
      : [...this.#events.slice(this.#next), ...this.#events.slice(0, this.#next)];
    const wanted = since === -Infinity ? ordered : ordered.filter((event) => event.at >= since);
    const count = Math.max(0, Math.min(Math.floor(n), wanted.length));
    return wanted.slice(wanted.length - count);
  }

  /** Stops recording. */
  close(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
  }

  #keep(event: SupEvent): void {
    if (this.#events.length < this.capacity) this.#events.push(event);
    else this.#events[this.#next] = event;
    this.#next = (this.#next + 1) % this.capacity;
  }
}
