/**
 * What the rest of sup may ask of the supervisor. Channels, probes, the web
 * API and the CLI all go through this one surface, so every action is
 * logged, counted and shown the same way (DESIGN.md, rule 1).
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";
import type { EventBus } from "./event_bus.ts";
import type { ActionReason, MachineAction, ReadySource } from "./events.ts";
import type { JobStatus } from "./job_status.ts";
import type { MachineOutcome } from "./machine.ts";
import type { OutputLine } from "./ring_buffer.ts";
import type { Runs } from "./run_tracker.ts";
import type { SwitchOptions } from "./job_switches.ts";

export type { JobStatus } from "./job_status.ts";

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
   * Restarts (`"reboot"`) or powers off (`"shutdown"`) the machine: the one
   * path for every machine action. Refused (`machine.refused`) sooner than
   * `machine.minRebootInterval` after the last one; otherwise recorded,
   * emitted (`machine.action`), notified (bounded) and then the config's
   * `rebootCommand` / `shutdownCommand` runs. Never rejects.
   */
  machineAction(action: MachineAction, reason: ActionReason): Promise<MachineOutcome>;
  /** `machineAction("reboot", reason)`, for watchdogs whose action is "reboot". */
  reboot(reason: ActionReason): Promise<void>;
  /**
   * Marks the job ready (first heartbeat, or first passing health check with
   * `by: "health"`, since its spawn): emits `job.ready`, runs
   * `postLaunchCommand`, releases jobs waiting on it with `after`.
   * Returns false when the job is unknown or has no live process.
   */
  markReady(name: string, by?: ReadySource): boolean;
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
