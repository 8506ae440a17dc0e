/**
 * A job's status as seen from outside the supervisor (`api.status()`, the
 * CLI, the panel, listeners' `ctx.status()`): plain data, safe to
 * serialize. In its own module so the types users see (`mod.ts`) can name
 * it without the supervisor's API.
 *
 * @module
 */

import type { ActionReason, ExitStatus, JobState } from "./events.ts";

/** A job as seen from outside: plain data, safe to serialize. */
export interface JobStatus {
  /** The job's name. */
  name: string;
  /** Where the job is in its lifecycle. */
  state: JobState;
  /** Set while a process exists (starting, running, stopping). */
  pid: number | null;
  /** The first heartbeat since this spawn has been seen. */
  ready: boolean;
  /** When the current process was spawned (ms since epoch). */
  startedAt: number | null;
  /** How the last process ended. */
  lastExit: (ExitStatus & { at: number }) | null;
  /** Quick deaths in a row (reset when a run outlives minUptime). */
  retries: number;
  /** Restarts since sup started, all sources. */
  restarts: number;
  /** The reason of the last action on this job. */
  lastReason: ActionReason | null;
  /** Why the job is fatal, when it is. */
  fatalMessage: string | null;
  /** Kept stopped: by its config (`disabled: true`) or by an operator (`sup disable`). */
  disabled: boolean;
  /** Who disabled it: "config", or who switched it off (e.g. "sup disable"); null when enabled. */
  disabledBy: string | null;
  /** When an operator switched it off (ms since the epoch); null otherwise. */
  disabledAt: number | null;
}
