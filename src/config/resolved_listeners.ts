/**
 * The `listeners` section resolved: every entry with its name, its bounds
 * and what it is (a built-in's validated options, a function, a plugin).
 * Functions stay functions: a config that holds them cannot travel as JSON
 * (see `load_child.ts` for what reloads do about it).
 *
 * @module
 */

/** What every resolved listener has. */
interface ResolvedListenerBase {
  /** Unique within the config. */
  name: string;
  /** How long one call may run before it is abandoned. */
  timeoutMs: number;
  /** Events waiting for it at most. */
  queueSize: number;
}

/** A built-in listener: its kind and its options as its validator resolved them. */
export interface ResolvedBuiltinListener extends ResolvedListenerBase {
  type: "builtin";
  kind: string;
  /** The descriptor without `kind` and `name`, resolved by the kind's validator (plain data). */
  options: Record<string, unknown>;
}

/** A user function (bare, or `{ on, jobs, handle }`). */
export interface ResolvedFunctionListener extends ResolvedListenerBase {
  type: "function";
  /** The event types it receives (wildcards expanded). */
  on: string[];
  /** Job selectors; null for every job. */
  jobs: string[] | null;
  /** `(event, ctx) => void | Promise<void>`; absent in a config that came as JSON. */
  handle: (event: never, ctx: never) => unknown;
}

/** A plugin: `setup(ctx)` returning its dispose function. */
export interface ResolvedPlugin extends ResolvedListenerBase {
  type: "plugin";
  /** Absent in a config that came as JSON. */
  setup: (ctx: never) => unknown;
}

/** One entry of `listeners`, resolved. */
export type ResolvedListener = ResolvedBuiltinListener | ResolvedFunctionListener | ResolvedPlugin;

/** The default time one call of a listener may take. */
export const DEFAULT_LISTENER_TIMEOUT_MS = 10_000;

/** The default number of events waiting for one listener. */
export const DEFAULT_LISTENER_QUEUE = 1000;
