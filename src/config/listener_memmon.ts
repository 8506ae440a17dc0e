/**
 * Validates and resolves a `memmon` listener's options (the descriptor
 * without `kind` and `name`).
 *
 * @module
 */

import { joinPath } from "./config_error.ts";
import { type AllKeys, describe, type Fields } from "./fields.ts";
import type { ListenerKindContext } from "./listener_kinds.ts";
import type { MemmonOptions } from "./listener_memmon_types.ts";
import { selectorProblem } from "./selector.ts";
import { parseSize } from "./units.ts";

/** One limit: the jobs a selector names may use `bytes`. */
export interface ResolvedMemoryLimit {
  selector: string;
  bytes: number;
}

/** A `memmon` listener's options, resolved. */
export interface ResolvedMemmon {
  /** In the order written. */
  limits: ResolvedMemoryLimit[];
  cumulative: boolean;
  intervalMs: number;
  notify: boolean;
  /** Notify only for runs up at most this long; null: always. */
  uptimeLimitMs: number | null;
}

/** Keys of the options besides `kind` and `name`. */
export const MEMMON_KEYS = ["limits", "cumulative", "interval", "notify", "uptimeLimit"] as const;
const _keys: AllKeys<MemmonOptions, typeof MEMMON_KEYS[number] | "name"> = true;

const EXAMPLE = '{ web: "200MB", "group:workers": "500MB", "*": "1GB" }';

/** Reads a `memmon` descriptor's options, recording every problem on `f`. */
export function readMemmon(f: Fields, ctx: ListenerKindContext): ResolvedMemmon {
  f.keys([...MEMMON_KEYS, "kind", "name"], "option");
  const limits: ResolvedMemoryLimit[] = [];
  const l = f.object("limits", `an object of sizes by job selector, like ${EXAMPLE}`);
  if (l === null && !ctx.partial && !f.has("limits")) {
    f.fail("limits", `missing (expected sizes by job selector, e.g. ${EXAMPLE})`);
  }
  for (const [selector, value] of Object.entries(l?.obj ?? {})) {
    const path = joinPath(l!.path, selector);
    const size = parseSize(value);
    if (!size.ok) l!.issues.add(path, size.error);
    else if (size.value === 0) l!.issues.add(path, `must be more than 0, got ${describe(value)}`);
    else limits.push({ selector, bytes: size.value });
    const problem = ctx.partial ? null : selectorProblem(selector, ctx.jobs);
    if (problem) l!.issues.add(path, problem);
  }
  if (l !== null && Object.keys(l.obj).length === 0 && !ctx.partial) {
    l.issues.add(l.path, `names no jobs (e.g. ${EXAMPLE})`);
  }
  return {
    limits,
    cumulative: f.bool("cumulative", false),
    intervalMs: f.duration("interval", 60_000, true),
    notify: f.bool("notify", true),
    uptimeLimitMs: f.duration("uptimeLimit", null),
  };
}
