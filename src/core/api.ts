/**
 * What the rest of sup may ask of the supervisor. Channels, probes, the web
 * API and the CLI all go through this one surface, so every action is
 * logged, counted and shown the same way (DESIGN.md, rule 1).
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";
import type { EventBus } from "./event_bus.ts";
import type { ActionReason, ExitStatus, JobState } from "./events.ts";
import type { OutputLine } from "./ring_buffer.ts";
import type { Runs } from "./run_tracker.ts";
import type { SwitchOptions } from "./job_switches.ts";

/** A job as seen from outside: plain data, safe to serialize. */
export interface JobStatus {
  name: string;
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

/** Thrown by actions naming a job that does not exist. */
export class UnknownJobError extends Error {
  override name = "UnknownJobError";
  /** @param job the name that was asked for */
  constructor(readonly job: string) {
    super(`No job named "${job}"`);
  }
}

/** The supervisor's public surface. */
export interface SupervisorApi {
  /** The bus every fact is published on. */
  readonly bus: EventBus;
  /**
   * Every job's current run (from entering `running` to leaving it), for
   * probes: what started, became ready or ended, and the runs going on.
   */
  readonly runs: Runs;
  /** The running config. */
  config(): ResolvedConfig;
  /** Every job's status, in config order. */
  status(): JobStatus[];
  /** One job's status, or undefined. */
  jobStatus(name: string): JobStatus | undefined;
  /** Starts a job (also the way out of `fatal` and `disabled`). Throws `UnknownJobError`. */
  start(name: string, reason: ActionReason): void;
  /** Stops a job; resolves when its process group is gone. Throws `UnknownJobError`. */
  stop(name: string, reason: ActionReason): Promise<void>;
  /** Stops then starts a job (starts it if not running). Throws `UnknownJobError`. */
  restart(name: string, reason: ActionReason): void;
  /**
   * Sends a signal to the job's whole process group (emits `job.signaled`);
   * the restart policy decides what follows. Throws `UnknownJobError`.
   */
  signal(name: string, signal: Deno.Signal, reason: ActionReason): void;
  /**
   * Restarts the machine: emits `machine.action`, then runs the config's
   * `machine.rebootCommand`. The one path for every machine action.
   */
  reboot(reason: ActionReason): Promise<void>;
  /**
   * Marks the job ready (first heartbeat since its spawn): emits `job.ready`,
   * runs `postLaunchCommand`, releases jobs waiting on it with `after`.
   * Returns false when the job is unknown or has no live process.
   */
  markReady(name: string): boolean;
  /** The last `n` lines of a job's output (stdout and stderr interleaved). */
  outputTail(name: string, n?: number): string[];
  /**
   * The last `n` lines (default all kept) of a job's output, each with the
   * time it was read and its stream, in the order sup read them; with
   * `since`, only lines read at or after that time. [] for an unknown job.
   */
  outputLines(name: string, n?: number, since?: number): OutputLine[];
  /**
   * Switches a job off (stops it and keeps it stopped, whoever asks to start
   * it) or on again. Persisted in the runtime state file unless
   * `persist: false`; lifted when the job's config changes. Emits
   * `job.disabled` / `job.enabled`; resolves (to false when nothing changed)
   * once a disabled job is stopped. Throws `UnknownJobError`.
   */
  setEnabled(name: string, enabled: boolean, options: SwitchOptions): Promise<boolean>;
}
