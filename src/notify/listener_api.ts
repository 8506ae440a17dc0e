/**
 * The listener API as a config sees it, fully typed: `config/` may not know
 * events or the runtime, so its listener types take them as parameters;
 * here they are filled in with `SupEvent` and `ListenerContext`, and
 * `mod.ts` gives them to `defineConfig`. Types and identity functions only:
 * user configs import this (through "sup").
 *
 * @module
 */

import type {
  BuiltinListener,
  ListenerSpecConfig,
  PluginConfig,
} from "../config/types_listeners.ts";
import type { EventOf, SupEvent, SupEventType } from "../core/events.ts";
import type { ListenerContext, PluginContext } from "./listener.ts";

type GroupOf<T> = T extends `${infer G}.${string}` ? `${G}.*` : never;

/** Every event of a group: `"job.*"`, `"app.*"`, `"tick.*"`... */
export type EventGroup = GroupOf<SupEventType>;

/** A listener function: called with each event (all but `job.output`) and the context. */
export type ListenerFunction = (event: SupEvent, ctx: ListenerContext) => void | Promise<void>;

/**
 * A listener with options (`on`, `jobs`, `timeout`, `queue`); `T` is what
 * `on` lists, which types the event `handle` receives (use `listener()` to
 * have it inferred).
 */
export type ListenerSpec<T extends SupEventType = SupEventType> = ListenerSpecConfig<
  EventOf<T>,
  ListenerContext,
  T | EventGroup
>;

/** A plugin: `{ name, setup(ctx) { ctx.on(...); return dispose } }`. */
export type Plugin = PluginConfig<PluginContext>;

/** One entry of `listeners`: a built-in, a function, `{ on, handle }` or a plugin. */
export type Listener = BuiltinListener | ListenerFunction | ListenerSpec | Plugin;

/**
 * Types a `{ on, handle }` listener so that `handle` receives exactly the
 * events `on` lists. Returns its argument.
 *
 * @example
 * listener({
 *   on: ["job.exited"],
 *   handle(event, ctx) {
 *     if (event.code !== 0) ctx.log.warn(`${event.job} exited with ${event.code}`);
 *   },
 * })
 */
export function listener<const T extends SupEventType>(
  spec: ListenerSpecConfig<EventOf<T>, ListenerContext, T> & { on: T | readonly T[] },
): ListenerSpec {
  return spec as unknown as ListenerSpec;
}

/** Types a plugin (`setup` receives a `PluginContext`). Returns its argument. */
export function plugin(definition: Plugin): Plugin {
  return definition;
}
