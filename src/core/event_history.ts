/**
 * The recent events of a running sup, kept in memory for `sup events` (the
 * history before the live stream starts) and the panel: a bounded ring of
 * the last events of every kind except job output (`sup logs` has its own
 * ring per job), messages apps send each other (relayed, not kept: a
 * stream of big payloads held here cost sup 35 MB of peak RSS in the
 * WebSocket broadcast test) and clock ticks (emitted only while someone
 * listens: a history listening to them would make them tick forever).
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
  "app.message": false, // app-to-app traffic: relayed, not kept (payloads of any size, often)
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

/**
 * Of what apps send (`app.log`, `app.event`), at most this many events per
 * job and type each second are kept; the rest are counted (`dropped`). An
 * app flooding `/log` must not turn the history into a conveyor belt: kept
 * events outlive V8's young generation, and at 16,000 a second that grew
 * sup's RSS by 20-30 MB under the OSC flood bench (bench/README.md).
 */
export const APP_EVENTS_PER_SECOND = 20;

/** Types whose rate the history bounds per job. */
const RATE_BOUNDED: ReadonlySet<SupEventType> = new Set(["app.log", "app.event"]);

/**
 * Characters of text the kept events may hold together, by default: events
 * carry what apps send (`app.message` data, `app.log` lines), so a count
 * alone would let a few big ones hold megabytes.
 */
export const DEFAULT_HISTORY_CHARS = 1024 * 1024;

/** The last events on a bus (of the kinds `HISTORY_TYPES` keeps), bounded by count and size. */
export class EventHistory {
  /** How many events are kept at most. */
  readonly capacity: number;
  /** How much text (approximate characters) the kept events may hold. */
  readonly maxChars: number;
  #events: SupEvent[] = [];
  #sizes: number[] = [];
  /** Index of the oldest kept event in the arrays (they are compacted now and then). */
  #head = 0;
  #chars = 0;
  #offs: Unsubscribe[];
  /** Per `type job` key: the second counted and how many were kept in it. */
  #rates = new Map<string, { second: number; kept: number }>();
  /** App events not kept because their app sent too many in one second. */
  dropped = 0;

  /** Keeps the last `capacity` events of `bus` from now on (subscribed by type, never `onAny`). */
  constructor(bus: EventBus, capacity = DEFAULT_HISTORY_EVENTS, maxChars = DEFAULT_HISTORY_CHARS) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`EventHistory capacity must be a whole number >= 1, got ${capacity}`);
    }
    this.capacity = capacity;
    this.maxChars = maxChars;
    const keep = (event: SupEvent) => this.#keep(event);
    this.#offs = KEPT_TYPES.map((type) => bus.on(type, keep));
  }

  /** How many events are kept now. */
  get size(): number {
    return this.#events.length - this.#head;
  }

  /** The last `n` events (default all kept), oldest first; with `since`, only those at or after it. */
  recent(n: number = this.capacity, since = -Infinity): SupEvent[] {
    const kept = this.#events.slice(this.#head);
    const wanted = since === -Infinity ? kept : kept.filter((event) => event.at >= since);
    const count = Math.max(0, Math.min(Math.floor(n), wanted.length));
    return wanted.slice(wanted.length - count);
  }

  /** Stops recording. */
  close(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
  }

  #overRate(event: SupEvent): boolean {
    const key = `${event.type} ${"job" in event ? event.job : ""}`;
    const second = Math.floor(event.at / 1000);
    const rate = this.#rates.get(key);
    if (!rate || rate.second !== second) {
      if (this.#rates.size > 10_000) this.#rates.clear(); // many apps: start counting afresh
      this.#rates.set(key, { second, kept: 1 });
      return false;
    }
    return ++rate.kept > APP_EVENTS_PER_SECOND;
  }

  #keep(event: SupEvent): void {
    if (RATE_BOUNDED.has(event.type) && this.#overRate(event)) {
      this.dropped++;
      return;
    }
    const size = approxChars(event, this.maxChars);
    this.#events.push(event);
    this.#sizes.push(size);
    this.#chars += size;
    while (this.size > 1 && (this.size > this.capacity || this.#chars > this.maxChars)) {
      this.#chars -= this.#sizes[this.#head];
      this.#events[this.#head] = undefined as unknown as SupEvent; // let it go now
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * About how many characters `value` holds: its strings' lengths plus a
 * little per other value, walked no further than `cap` (cheap for the
 * small events that are most of them).
 */
export function approxChars(value: unknown, cap: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && total <= cap) {
    const item = stack.pop();
    if (typeof item === "string") total += item.length + 2;
    else if (Array.isArray(item)) {
      total += 2;
      for (const element of item) stack.push(element);
    } else if (item !== null && typeof item === "object") {
      for (const [key, field] of Object.entries(item)) {
        total += key.length + 4;
        stack.push(field);
      }
    } else total += 8;
  }
  return total;
}
