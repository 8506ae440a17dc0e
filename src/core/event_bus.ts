/**
 * The typed event bus: an instance passed to whoever needs it, never a
 * module global. A listener that throws is reported and never breaks the
 * emitter or the other listeners.
 *
 * @module
 */

import type { EventOf, SupEvent, SupEventType } from "./events.ts";

/** A function that removes the listener it came from. */
export type Unsubscribe = () => void;

type AnyListener = (event: SupEvent) => void;

/** Publishes `SupEvent`s to listeners by type, or to all. */
export class EventBus {
  #byType = new Map<SupEventType, Set<AnyListener>>();
  #all = new Set<AnyListener>();
  #onListenerError: (error: unknown, event: SupEvent) => void;

  /** `onListenerError` receives what a listener threw (default: `console.error`). */
  constructor(onListenerError?: (error: unknown, event: SupEvent) => void) {
    this.#onListenerError = onListenerError ??
      ((error, event) => console.error(`Listener for "${event.type}" threw:`, error));
  }

  /** Calls `fn` for every event of `type`; returns the unsubscribe function. */
  on<T extends SupEventType>(type: T, fn: (event: EventOf<T>) => void): Unsubscribe {
    let set = this.#byType.get(type);
    if (!set) this.#byType.set(type, set = new Set());
    const listener = fn as AnyListener;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Calls `fn` for every event; returns the unsubscribe function. */
  onAny(fn: (event: SupEvent) => void): Unsubscribe {
    this.#all.add(fn);
    return () => this.#all.delete(fn);
  }

  /** True when someone listens to `type` (lets hot paths skip building events). */
  hasListeners(type: SupEventType): boolean {
    return this.#all.size > 0 || (this.#byType.get(type)?.size ?? 0) > 0;
  }

  /** Delivers `event` synchronously to its listeners. */
  emit(event: SupEvent): void {
    const set = this.#byType.get(event.type);
    if (set) { for (const fn of set) this.#call(fn, event); }
    for (const fn of this.#all) this.#call(fn, event);
  }

  #call(fn: AnyListener, event: SupEvent): void {
    try {
      fn(event);
    } catch (error) {
      try {
        this.#onListenerError(error, event);
      } catch {
        // A broken error reporter must not break the emitter either.
      }
    }
  }
}
