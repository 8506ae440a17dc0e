/**
 * What the supervisor keeps per job: its config, its state-machine
 * snapshot, and named pieces with one job each: the inbox that feeds the
 * state machine, its timers, recent output, the pending stops and the
 * helper processes.
 *
 * @module
 */

import type { ResolvedJob } from "../config/resolved.ts";
import type { JobStatus } from "./api.ts";
import type { GateFacts } from "./gates.ts";
import { JobHelpers } from "./job_helpers.ts";
import {
  initialSnapshot,
  type JobInput,
  type JobPolicy,
  type JobSnapshot,
  phasePid,
} from "./job_state.ts";
import { JobTimers } from "./job_timers.ts";
import { Mailbox } from "./mailbox.ts";
import { RingBuffer } from "./ring_buffer.ts";
import type { RuntimeStateFile } from "./runtime_state.ts";
import { StopWaiters } from "./stop_waiters.ts";
import type { JobSwitch } from "./job_switches.ts";

/** Lines of stderr kept for `job.exited.stderrTail`. */
export const STDERR_TAIL_LINES = 20;

/** One job as the supervisor holds it. */
export interface JobEntry {
  /** The job's config (replaced when a reload changes it). */
  config: ResolvedJob;
  /** The state machine's snapshot (replaced by every transition). */
  snap: JobSnapshot;
  /** Feeds inputs to the state machine one at a time, in order. */
  readonly inbox: Mailbox<JobInput>;
  /** The state machine's timers; they send their inputs to the inbox. */
  readonly timers: JobTimers;
  /** stdout and stderr interleaved (`outputTail`). */
  readonly ring: RingBuffer;
  /** stderr only (`job.exited.stderrTail`). */
  readonly stderrRing: RingBuffer;
  /** Pending `stop()` calls, settled once the job has no process. */
  readonly stopped: StopWaiters;
  /** The job's `sideCommand` and `postLaunchCommand` processes. */
  readonly helpers: JobHelpers;
}

/** What an entry is wired to (the supervisor's parts). */
export interface EntryWiring {
  /** Runs one input through the job's state machine and its effects. */
  handle(entry: JobEntry, input: JobInput): void;
  /** Reads a helper's output streams with the job's capture. */
  capture(
    entry: JobEntry,
    stdout: ReadableStream<Uint8Array> | null,
    stderr: ReadableStream<Uint8Array> | null,
  ): void;
  /** Where side commands' process groups are recorded. */
  state: RuntimeStateFile | null;
  /** Reports a failure that must not crash sup. */
  onError(message: string): void;
}

/** A fresh entry for `config`, stopped. */
export function newEntry(config: ResolvedJob, wiring: EntryWiring): JobEntry {
  const entry: JobEntry = {
    config,
    snap: initialSnapshot(config.name, policyOf(config)),
    inbox: new Mailbox(
      (input) => wiring.handle(entry, input),
      (input, error) => wiring.onError(`Job "${entry.config.name}" on ${input.type}: ${error}`),
    ),
    timers: new JobTimers((input) => entry.inbox.send(input)),
    ring: new RingBuffer(1000),
    stderrRing: new RingBuffer(STDERR_TAIL_LINES),
    stopped: new StopWaiters(),
    helpers: new JobHelpers(() => entry.config, {
      capture: (stdout, stderr) => wiring.capture(entry, stdout, stderr),
      state: wiring.state,
      onError: wiring.onError,
    }),
  };
  return entry;
}

/** The part of a job's config the state machine decides with. */
export function policyOf(job: ResolvedJob): JobPolicy {
  return {
    restart: job.restart,
    noRestartExitCodes: job.noRestartExitCodes,
    minUptimeMs: job.minUptimeMs,
    backoffInitialMs: job.backoffInitialMs,
    backoffMaxMs: job.backoffMaxMs,
    maxRetries: job.maxRetries,
    retryFatalAfterMs: job.retryFatalAfterMs,
    killSignal: job.killSignal,
    killTimeoutMs: job.killTimeoutMs,
    once: job.once || job.wait,
  };
}

/** True while the job has a process (or is about to). */
export function hasProcess(entry: JobEntry): boolean {
  const state = entry.snap.phase.state;
  return state === "starting" || state === "running" || state === "stopping";
}

/** The job's status as plain data (`switched`: how an operator switched it off, if so). */
export function toStatus(entry: JobEntry, switched: JobSwitch | null = null): JobStatus {
  const { snap, config } = entry;
  const phase = snap.phase;
  return {
    name: config.name,
    state: phase.state,
    pid: phasePid(phase),
    ready: phase.state === "running" && phase.ready,
    startedAt: phase.state === "running" || phase.state === "stopping" ? phase.startedAt : null,
    lastExit: snap.lastExit,
    retries: snap.retries,
    restarts: snap.restarts,
    lastReason: snap.lastReason,
    fatalMessage: phase.state === "fatal" ? phase.message : null,
    disabled: config.disabled || switched !== null,
    disabledBy: switched?.by ?? (config.disabled ? "config" : null),
    disabledAt: switched?.at ?? null,
  };
}

/** What the gates of other jobs (`after`, `wait`) need to know of this one. */
export function gateFacts(entry: JobEntry): GateFacts {
  const phase = entry.snap.phase;
  return {
    state: phase.state,
    ready: phase.state === "running" && phase.ready,
    lastExitCode: entry.snap.lastExit?.code ?? null,
  };
}
