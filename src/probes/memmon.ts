/**
 * `maxMemory`: restarts a job whose memory passes its `maxMemory` (the job
 * option's side of superlance's memmon; the `memmon` listener is the other,
 * `memmon_listener.ts`, and both check with `memmon_sample.ts`). The memory
 * of a job is the resident memory (RSS) of its whole process tree, summed
 * (memmon's `cumulative`): its process, every process descended from it,
 * and every process in its process group. Memory shared between processes
 * is counted once per process.
 *
 * There is no event for memory, so it is sampled: one timer for the whole
 * probe, every `intervalMs`, armed only while a running job has a limit (no
 * timer otherwise, so an idle sup does no work). Each tick reads `/proc` once
 * for all those jobs. A job over its limit is restarted once per spawn: the
 * next check of that job is on its next process.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import type { Unsubscribe } from "../core/event_bus.ts";
import { type Clock, realClock, type TimerHandle } from "../core/clock.ts";
import type { Run } from "../core/run_tracker.ts";
import { requestAction } from "./probe_action.ts";
import { overLimit, perPid, readableSize, type RssReader } from "./memmon_sample.ts";

export { readableSize } from "./memmon_sample.ts";

/** Options of `MemmonProbe`. */
export interface MemmonProbeOptions {
  /** Time between two samples. @default 5000 */
  intervalMs?: number;
  /**
   * Resident bytes of a job's process tree, null when it has no process.
   * Default: `/proc`, read once per tick for every job watched.
   */
  readRss?: (pid: number) => number | null;
  /** Time and timers (fake in unit tests). */
  clock?: Clock;
}

/** A job's current run (`SupervisorApi.runs`), from its start to its end. */
interface Watched {
  run: Run;
  /** A restart was asked for this process: not checked again. */
  tripped: boolean;
}

const logger = getLogger(["sup", "probe", "memmon"]);

/** Restarts jobs over their `maxMemory`; see the module doc. */
export class MemmonProbe {
  #api: SupervisorApi;
  #clock: Clock;
  #intervalMs: number;
  #read: RssReader | undefined;
  /** `maxMemoryBytes` per job that has one. */
  #limits = new Map<string, number>();
  /** Live processes of jobs with a limit. */
  #watched = new Map<string, Watched>();
  #timer: TimerHandle | null = null;
  #off: Unsubscribe;
  #closed = false;
  #readFailed = false;

  /** Follows the supervisor's runs at once; `apply` tells it the limits. */
  constructor(api: SupervisorApi, options: MemmonProbeOptions = {}) {
    this.#api = api;
    this.#clock = options.clock ?? realClock;
    this.#intervalMs = options.intervalMs ?? 5000;
    this.#read = options.readRss && perPid(options.readRss);
    this.#off = api.runs.subscribe({
      started: (run) => this.#watch(run),
      ended: (run) => {
        if (this.#watched.get(run.job)?.run === run) this.#unwatch(run.job);
      },
    });
  }

  /** Takes the limits of `config`; running jobs that gained a limit are watched from now on. */
  apply(config: ResolvedConfig): void {
    if (this.#closed) return;
    const limits = new Map<string, number>();
    for (const job of config.jobs) {
      if (job.maxMemoryBytes !== null) limits.set(job.name, job.maxMemoryBytes);
    }
    this.#limits = limits;
    for (const name of [...this.#watched.keys()]) {
      if (!limits.has(name)) this.#watched.delete(name);
    }
    for (const name of limits.keys()) {
      if (this.#watched.has(name)) continue;
      const run = this.#api.runs.current(name);
      if (run !== undefined) this.#watched.set(name, { run, tripped: false });
    }
    this.#syncTimer();
  }

  /** Clears the timer and stops listening. */
  close(): void {
    this.#closed = true;
    this.#off();
    this.#watched.clear();
    this.#syncTimer();
  }

  /** Jobs whose memory is checked on the next tick (tests and the panel). */
  watched(): string[] {
    return [...this.#watched].filter(([, w]) => !w.tripped).map(([name]) => name);
  }

  /** True while the sampling timer is armed (tests). */
  get sampling(): boolean {
    return this.#timer !== null;
  }

  #watch(run: Run): void {
    if (!this.#limits.has(run.job) || this.#closed) return;
    this.#watched.set(run.job, { run, tripped: false });
    this.#syncTimer();
  }

  #unwatch(job: string): void {
    if (this.#watched.delete(job)) this.#syncTimer();
  }

  /** Arms the timer when a job is to be checked and none is armed; clears it when none is. */
  #syncTimer(): void {
    const needed = !this.#closed && this.watched().length > 0;
    if (needed && this.#timer === null) {
      this.#timer = this.#clock.setTimeout(() => this.#tick(), this.#intervalMs);
    } else if (!needed && this.#timer !== null) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  #tick(): void {
    this.#timer = null;
    try {
      this.#check();
    } catch (error) {
      this.#warnReadFailure(error);
    }
    this.#syncTimer();
  }

  /** Samples every watched job once and restarts those over their limit. */
  #check(): void {
    const due = [...this.#watched].filter(([, w]) => !w.tripped);
    const targets = due.flatMap(([job, w]) => {
      const limit = this.#limits.get(job);
      return limit === undefined ? [] : [{ job, pid: w.run.pid, limit, cumulative: true }];
    });
    for (const { target, rss } of overLimit(targets, this.#read)) {
      const { job, limit } = target;
      const watched = this.#watched.get(job);
      // The job may have been restarted meanwhile by a listener of an earlier restart.
      if (watched === undefined || watched.run.pid !== target.pid || watched.tripped) continue;
      watched.tripped = true;
      const detail = `memory ${readableSize(rss)} passed maxMemory ${readableSize(limit)}`;
      logger.warn("Restarting job {job}: {detail}", {
        job,
        detail,
        pid: watched.run.pid,
        rss,
        limit,
      });
      requestAction(this.#api, "restart", job, { source: "memmon", detail });
    }
  }

  #warnReadFailure(error: unknown): void {
    if (this.#readFailed) return;
    this.#readFailed = true;
    logger.warn("Cannot read process memory, maxMemory is not enforced: {error}", {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
