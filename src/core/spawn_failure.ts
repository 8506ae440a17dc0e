/**
 * Why a job's process could not be started, as data (`SpawnFailure`) and as
 * the words an operator reads (`spawnFailureText`, `SpawnError`). Also reads
 * the one failure that shows only after the process started: a `setsid` or
 * `prlimit` wrapper that could not execute the job's command exits 126/127
 * and says why on its stderr (`wrapperExecFailure`).
 *
 * @module
 */

import type { LookupFailure } from "./command_lookup.ts";

/** Why a spawn failed: a failed command lookup, or what the spawn itself met. */
export type SpawnFailure =
  | LookupFailure
  /** The job has ulimits but util-linux `prlimit` is not installed. */
  | { reason: "prlimitMissing" }
  /** The job's stdin file cannot be opened (`detail`: the OS's words). */
  | { reason: "stdinUnreadable"; file: string; detail: string }
  /** A wrapper started but could not execute `command` (`detail`: e.g. "Permission denied"). */
  | { reason: "execFailed"; command: string; detail: string }
  /** The OS refused the spawn for another reason (`detail`: its words). */
  | { reason: "os"; detail: string };

/** What `failure` means, in words (the part after `Cannot start job "x": `). */
export function spawnFailureText(failure: SpawnFailure): string {
  switch (failure.reason) {
    case "notFound":
      return `command "${failure.command}" was not found`;
    case "dirMissing":
      return `directory "${failure.dir}" does not exist`;
    case "isDirectory":
      return `command "${failure.command}" is a directory`;
    case "notExecutable":
      return `command "${failure.command}" is not executable (permission denied)`;
    case "dirDenied":
      return `directory "${failure.dir}" cannot be entered by user ${failure.uid} ` +
        `(permission denied on "${failure.at}")`;
    case "pathDenied":
      return `command "${failure.command}" cannot be reached by user ${failure.uid} ` +
        `(permission denied on "${failure.at}")`;
    case "notExecutableBy":
      return `command "${failure.command}" is not executable by user ${failure.uid} ` +
        `(permission denied)`;
    case "prlimitMissing":
      return `"ulimit" needs util-linux's "prlimit", which was not found on PATH ` +
        `(Debian/Ubuntu: apt install util-linux)`;
    case "stdinUnreadable":
      return `stdin file "${failure.file}" cannot be read (${failure.detail})`;
    case "execFailed":
      return `command "${failure.command}" cannot be executed (${failure.detail})`;
    case "os":
      return failure.detail;
    default: {
      const never: never = failure;
      return String(never);
    }
  }
}

/** A job's process could not be started; the message says why, `failure` says it as data. */
export class SpawnError extends Error {
  override name = "SpawnError";
  /** Why, as data (`{ reason: "os" }` when made from text). */
  readonly failure: SpawnFailure;
  /**
   * @param job the job's name
   * @param why the failure, or its words
   */
  constructor(readonly job: string, why: SpawnFailure | string, options?: ErrorOptions) {
    const failure: SpawnFailure = typeof why === "string" ? { reason: "os", detail: why } : why;
    super(`Cannot start job "${job}": ${spawnFailureText(failure)}`, options);
    this.failure = failure;
  }
}

/** What a wrapper prints when it cannot execute the command (util-linux's wording). */
const WRAPPER_EXEC = /^(?:setsid|prlimit): failed to execute (.+?): (.+)$/;

/**
 * The exec failure a `setsid`/`prlimit` wrapper reported: it exits 126
 * (cannot execute) or 127 (not found) and its last stderr line says why.
 * null for any other exit, and for a 126/127 of the job itself.
 */
export function wrapperExecFailure(
  code: number | null,
  stderrTail: readonly string[],
): Extract<SpawnFailure, { reason: "execFailed" }> | null {
  if (code !== 126 && code !== 127) return null;
  const match = WRAPPER_EXEC.exec(stderrTail.at(-1) ?? "");
  if (!match) return null;
  return { reason: "execFailed", command: match[1], detail: match[2] };
}
