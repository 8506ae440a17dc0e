/**
 * What the supervisor keeps per job: its config, its state-machine snapshot,
 * the inputs waiting to be fed, timers, recent output and helper processes.
 *
 * @module
 */

import type { ResolvedJob } from "../config/resolved.ts";
import type { JobStatus } from "./api.ts";
import type { AuxProcess } from "./aux_process.ts";
import {
  initialSnapshot,
  type JobInput,
  type JobPolicy,
  type JobSnapshot,
  type JobTimer,
  phasePid,
} from "./job_state.ts";
import { RingBuffer } from "./ring_buffer.ts";

/** Lines of stderr kept for `job.exited.stderrTail`. */
export const STDERR_TAIL_LINES = 20;

/** One job as the supervisor holds it. */
export interface JobEntry {
  config: ResolvedJob;
  snap: JobSnapshot;
  /** Inputs not yet fed to `transition` (inputs sent while one is being handled). */
  queue: JobInput[];
  busy: boolean;
  timers: Map<JobTimer, ReturnType<typeof setTimeout>>;
  /** stdout and stderr interleaved (`outputTail`). */
  ring: RingBuffer;
  /** stderr only (`job.exited.stderrTail`). */
  stderrRing: RingBuffer;
  /** Called when the job has no process any more (pending `stop()` calls). */
  waiters: (() => void)[];
  side: AuxProcess | null;
  /** Helpers started by `postLaunchCommand` that may still run. */
  postLaunch: Set<AuxProcess>;
}

/** A fresh entry for `config`, stopped. */
export function newEntry(config: ResolvedJob): JobEntry {
  return {
    config,
    snap: initialSnapshot(config.name, policyOf(config)),
    queue: [],
    busy: false,
    timers: new Map(),
    ring: new RingBuffer(1000),
    stderrRing: new RingBuffer(STDERR_TAIL_LINES),
    waiters: [],
    side: null,
    postLaunch: new Set(),
  };
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

/** The input a timer delivers when it fires. */
export const TIMER_INPUTS: Record<JobTimer, JobInput> = {
  kill: { type: "killTimeout" },
  backoff: { type: "backoffElapsed" },
  fatalRetry: { type: "fatalRetryElapsed" },
  uptime: { type: "startupWindowElapsed" },
};

/** True while the job has a process (or is about to). */
export function hasProcess(entry: JobEntry): boolean {
  const state = entry.snap.phase.state;
  return state === "starting" || state === "running" || state === "stopping";
}

/** The job's status as plain data. */
export function toStatus(entry: JobEntry): JobStatus {
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
    disabled: config.disabled,
  };
}
