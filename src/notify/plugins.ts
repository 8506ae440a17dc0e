/**
 * Plugins (ampm's): `{ name, setup(ctx) { ...; return dispose } }`. A
 * plugin is a listener whose event types are what it subscribed to with
 * `ctx.on(...)`; the runtime queues, bounds and isolates its handlers like
 * any listener's (one event at a time; the handlers of one event run side
 * by side).
 *
 * @module
 */

import { EVENT_TYPES } from "../config/event_types.ts";
import { expandOn } from "../config/listeners_section.ts";
import { didYouMean } from "../config/suggest.ts";
import type { SupEvent, SupEventType } from "../core/events.ts";
import type { ListenerContext, PluginContext, RunningListener } from "./listener.ts";

type Handler = (event: SupEvent) => void | Promise<void>;

/** A plugin as the runtime drives it. */
export class PluginListener implements RunningListener {
  readonly name: string;
  readonly context: PluginContext;
  #handlers = new Map<SupEventType, Set<Handler>>();
  #dispose: (() => void | Promise<void>) | null = null;
  #closed = false;
  #onChange: () => void;

  /**
   * A plugin named `ctx.name` (`plugin:<name>`); `onChange` is called when
   * its subscriptions change (the runtime routes events anew).
   */
  constructor(ctx: ListenerContext, onChange: () => void) {
    this.name = ctx.name;
    this.#onChange = onChange;
    this.context = { ...ctx, on: (types, fn) => this.#subscribe(types, fn as Handler) };
  }

  /** The event types some handler is subscribed to. */
  get on(): SupEventType[] {
    return [...this.#handlers.keys()];
  }

  /**
   * Runs `setup` with the plugin's context; keeps the dispose function it
   * returns (also when it arrives after the runtime stopped waiting).
   */
  async setup(setup: (ctx: PluginContext) => unknown): Promise<void> {
    const result = await setup(this.context);
    if (result === undefined || result === null) return;
    if (typeof result !== "function") {
      throw new TypeError(
        `setup returned ${typeof result}; it may return nothing or a dispose function`,
      );
    }
    if (this.#closed) await (result as () => unknown)();
    else this.#dispose = result as () => void | Promise<void>;
  }

  /** Calls every handler subscribed to `event.type`, side by side; throws the first failure. */
  handle(event: SupEvent): void | Promise<void> {
    const handlers = this.#handlers.get(event.type);
    if (!handlers) return;
    const pending: Promise<void>[] = [];
    let failure: { error: unknown } | null = null;
    for (const fn of [...handlers]) {
      try {
        const result = fn(event);
        if (result && typeof result.then === "function") pending.push(result);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (pending.length === 0) {
      if (failure) throw failure.error;
      return;
    }
    return Promise.allSettled(pending).then((outcomes) => {
      if (failure) throw failure.error;
      const rejected = outcomes.find((o) => o.status === "rejected");
      if (rejected) throw (rejected as PromiseRejectedResult).reason;
    });
  }

  /** Unsubscribes everything and runs the dispose function `setup` returned. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    this.#onChange();
    const dispose = this.#dispose;
    this.#dispose = null;
    await dispose?.();
  }

  #subscribe(types: string | readonly string[], fn: Handler): () => void {
    if (typeof fn !== "function") throw new TypeError("ctx.on(types, fn): fn must be a function");
    const patterns = typeof types === "string" ? [types] : [...types];
    for (const pattern of patterns) {
      const known = pattern === "*" || pattern.endsWith(".*") ||
        (EVENT_TYPES as readonly string[]).includes(pattern);
      if (!known || expandOn([pattern]).length === 0) {
        throw new TypeError(
          `ctx.on: ${JSON.stringify(pattern)} is not an event type${
            didYouMean(pattern, EVENT_TYPES)
          }`,
        );
      }
    }
    if (this.#closed) return () => {};
    const expanded = expandOn(patterns) as SupEventType[];
    for (const type of expanded) {
      let set = this.#handlers.get(type);
      if (!set) this.#handlers.set(type, set = new Set());
      set.add(fn);
    }
    this.#onChange();
    return () => {
      for (const type of expanded) {
        const set = this.#handlers.get(type);
        set?.delete(fn);
        if (set?.size === 0) this.#handlers.delete(type);
      }
      this.#onChange();
    };
  }
}
