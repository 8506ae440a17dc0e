/**
 * The argv that starts a job: util-linux `setsid` in front (a session and
 * process group of its own, without forking the whole Deno runtime as
 * `detached: true` does), then `prlimit --<limit>=N:N ... --` when the job
 * has ulimits (Deno has no setrlimit), then the job's own argv. Pure.
 *
 * @module
 */

import type { ResolvedJob } from "../config/resolved.ts";
import type { LimitValue } from "../config/types.ts";

/** A job's ulimits, as resolved. */
export type Ulimits = ResolvedJob["ulimit"];

/** The wrappers found on this machine. */
export interface WrapperTools {
  /** Absolute path of `setsid`; null when it is not installed (spawn `detached` then). */
  setsid: string | null;
  /** Looks `prlimit` up; called only when the job has ulimits. null when not installed. */
  findPrlimit(): string | null;
}

/** The full argv, or which wrapper the job needs and this machine lacks. */
export type WrappedArgv = { ok: true; argv: string[] } | { ok: false; missing: "prlimit" };

/** The limits `prlimit` sets, in the order of its flags; the keys are its flag names. */
const LIMITS = ["nofile", "nproc", "core", "memlock", "stack"] as const satisfies readonly (
  keyof Ulimits
)[];

/** The job's limits as `prlimit` flags, in `prlimit`'s names (`--nofile=N:N`). */
export function prlimitFlags(ulimit: Ulimits): string[] {
  const flags: string[] = [];
  for (const key of LIMITS) {
    const value = ulimit[key];
    if (value !== null && value !== undefined) {
      flags.push(`--${key}=${limitText(value)}:${limitText(value)}`);
    }
  }
  return flags;
}

/** `jobArgv` (its command already absolute) behind the wrappers it needs. */
export function wrapArgv(jobArgv: string[], ulimit: Ulimits, tools: WrapperTools): WrappedArgv {
  const argv: string[] = [];
  if (tools.setsid !== null) argv.push(tools.setsid);
  const flags = prlimitFlags(ulimit);
  if (flags.length > 0) {
    const prlimit = tools.findPrlimit();
    if (prlimit === null) return { ok: false, missing: "prlimit" };
    argv.push(prlimit, ...flags, "--");
  }
  argv.push(...jobArgv);
  return { ok: true, argv };
}

function limitText(value: LimitValue): string {
  return value === "infinity" ? "unlimited" : String(value);
}
