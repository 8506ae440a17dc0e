/**
 * `memmon`: restarts a job whose memory passes its `maxMemory` (superlance's
 * memmon). The memory of a job is the resident memory (RSS) of every process
 * in its process group, summed: the job's pid is its group id (jobs run in
 * their own session), so children it forks count too, unless they leave the
 * group. Memory shared between processes is counted once per process.
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
import { readGroupRss } from "./proc_memory.ts";

/** Options of `MemmonProbe`. */
export interface MemmonOptions {
  /** Time between two samples. @default 5000 */
  intervalMs?: number;
  /**
   * Resident bytes of a process group, null when it has no process. Default:
   * `/proc`, read once per tick for every group watched.
   */
  readRss?: (pgid: number) => number | null;
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
  #readRss: MemmonOptions["readRss"];
  /** `maxMemoryBytes` per job that has one. */
  #limits = new Map<string, number>();
  /** Live processes of jobs with a limit. */
  #watched = new Map<string, Watched>();
  #timer: TimerHandle | null = null;
  #off: Unsubscribe;
  #closed = false;
  #readFailed = false;

  /** Follows the supervisor's runs at once; `apply` tells it the limits. */
  constructor(api: SupervisorApi, options: MemmonOptions = {}) {
    this.#api = api;
    this.#clock = options.clock ?? realClock;
    this.#intervalMs = options.intervalMs ?? 5000;
    this.#readRss = options.readRss;
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
    const rssOf = this.#readRss ?? lookup(readGroupRss(new Set(due.map(([, w]) => w.run.pid))));
    for (const [job, watched] of due) {
      const limit = this.#limits.get(job);
      const rss = rssOf(watched.run.pid);
      if (limit === undefined || rss === null || rss <= limit) continue;
      // The job may have been restarted meanwhile by a listener of an earlier restart.
      if (this.#watched.get(job) !== watched) continue;
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

function lookup(totals: Map<number, number>): (pgid: number) => number | null {
  return (pgid) => totals.get(pgid) ?? null;
}

/** Bytes rounded for people, 1024-based: "312 MB", "1.5 GB", "900 KB", "12 B". */
export function readableSize(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = value < 10 && unit > 0 ? Math.round(value * 10) / 10 : Math.round(value);
  // 1023.6 KB rounds to "1024 KB": show "1 MB" instead.
  if (shown >= 1024 && unit < units.length - 1) return `1 ${units[unit + 1]}`;
  return `${shown} ${units[unit]}`;
}
