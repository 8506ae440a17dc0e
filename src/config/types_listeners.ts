/**
 * The `listeners` section as a config writes it: built-in listeners (plain
 * descriptors such as `crashmail({...})`, so TOML and JSON configs can hold
 * them), functions, `{ on, jobs, handle }` objects and plugins
 * `{ name, setup }`. `config/` knows no events and no runtime, so the types
 * here take the event and context types as parameters; `mod.ts` fills them
 * in (`SupEvent`, `ListenerContext`) for the editor.
 *
 * @module
 */

import type { Duration } from "./types.ts";
import type { WebhookDescriptor } from "./listener_webhook_types.ts";
import type { HttpokListener } from "./listener_httpok_types.ts";
import type { MemmonListener } from "./listener_memmon_types.ts";
import type {
  CrashmailBatchDescriptor,
  CrashmailDescriptor,
  CrashSmsDescriptor,
  FatalmailBatchDescriptor,
} from "./listener_crash_types.ts";

/**
 * A built-in listener's descriptor: plain data, made by its factory
 * (`httpok({...})`, `crashmail({...})`) or written as a table in TOML/JSON
 * (`[[listeners]] kind = "crashmail"`).
 */
export type BuiltinListener = // Each built-in's descriptor type, added by its owner (one line each):
  | never
  | WebhookDescriptor
  | HttpokListener // issue 9: httpok
  | MemmonListener // issue 9: memmon
  | CrashmailDescriptor
  | CrashmailBatchDescriptor
  | FatalmailBatchDescriptor
  | CrashSmsDescriptor;

/**
 * A listener function: called with each event (every event but
 * `job.output`), one at a time; a returned promise is awaited (up to 10 s)
 * before the next event.
 */
export type ListenerFunctionConfig<E = never, C = never> = (
  event: E,
  ctx: C,
) => void | Promise<void>;

/** A listener with options: which events and jobs it wants, and its bounds. */
export interface ListenerSpecConfig<E = never, C = never, T extends string = string> {
  /**
   * Its name in logs, `listener.failed` events and the reasons of the
   * actions it takes.
   * @default the function's name, else its place (`"listeners[2]"`)
   */
  name?: string;
  /**
   * The event types it receives: names (`"job.exited"`), groups
   * (`"job.*"`) or `"*"` (every event but `job.output`, which must be
   * named).
   * @default "*"
   * @example ["job.exited", "job.fatal"]
   */
  on?: T | "*" | readonly (T | "*")[];
  /**
   * Only events about these jobs (a job's name, `"group:<name>"`, `"*"`);
   * events about no job (ticks, `sup.*`, `config.*`) still arrive.
   * @default every job
   * @example "group:web"
   */
  jobs?: string | string[];
  /** How long one call may run before it is abandoned (logged, `listener.failed`). @default "10s" */
  timeout?: Duration;
  /**
   * Events waiting for it at most; when it falls further behind, the oldest
   * are dropped (counted, logged, `listener.failed` "overflow").
   * @default 1000
   */
  queue?: number;
  /** Handles one event; the next waits until it returns or its promise settles. */
  handle(event: E, ctx: C): void | Promise<void>;
}

/** What a plugin's `setup` may return: the function that undoes it (closes what it opened). */
export type PluginDispose = () => void | Promise<void>;

/**
 * A plugin (ampm's): server-side logic that lives as long as the config
 * does. `setup` runs at start (and again after a reload that loads the
 * config anew), subscribes to events with `ctx.on(...)`, and returns the
 * function that undoes it; its actions show as `plugin:<name>`.
 */
export interface PluginConfig<C = never> {
  /** Its name: actions it takes show as `plugin:<name>`. @default its place (`"listeners[2]"`) */
  name?: string;
  /** Sets the plugin up; may return a dispose function (or a promise of one). */
  setup(ctx: C): PluginDispose | void | Promise<PluginDispose | void>;
  /** How long `setup`, one event handler or dispose may run before it is abandoned. @default "10s" */
  timeout?: Duration;
  /** Events waiting for its handlers at most (the oldest are dropped beyond). @default 1000 */
  queue?: number;
}

/**
 * One entry of `listeners`: a built-in's descriptor, a function, a
 * `{ on, handle }` object or a plugin.
 */
export type ListenerConfig<E = never, C = never, P = never, T extends string = string> =
  | BuiltinListener
  | ListenerFunctionConfig<E, C>
  | ListenerSpecConfig<E, C, T>
  | PluginConfig<P>;
