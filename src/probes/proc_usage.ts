/**
 * CPU % and memory of jobs' process groups for `sup status`, from the one
 * `/proc` sampler (`core/proc_sampler.ts`, shared with `/metrics`).
 *
 * A pass over `/proc` costs what the kernel takes to write one `stat` per
 * process (~6 µs each: ~5 ms at 500 jobs with the listing of `/proc`, more
 * for the first pass, which meets every process on the machine once). So that a status request does
 * not wait for one, the sampler keeps its figures fresh while people are
 * looking: after a request it takes a sample every `refreshMs` (1 s) in the
 * background until nobody has asked for `keepWarmMs` (30 s), then lets the
 * files it kept open go. `sup status -w`, and commands typed one after the
 * other, are answered from a sample under `maxAgeMs` (2 s) old; only the
 * first request after a quiet half-minute waits for a pass. While warm it
 * costs one pass a second (~5 ms of CPU at 500 jobs); when nobody asks,
 * nothing.
 *
 * CPU % is over the time between the last two samples when they are less
 * than a minute apart (one second while warm, as `top` shows it), else since
 * the process group's leader started.
 *
 * @module
 */

import { ProcSampler } from "../core/proc_sampler.ts";

/** One process group's totals. */
export interface GroupTotals {
  /** Resident memory of every member (bytes). */
  rssBytes: number;
  /** CPU seconds of every member and the children they reaped. */
  cpuSeconds: number;
}

/** A group's usage for status. */
export interface UsageFigures {
  rssBytes: number;
  /** Percent of one core, or null when it cannot be told yet. */
  cpuPercent: number | null;
}

/** Reads the totals of the groups in `pgids` (missing: no live process). */
export type GroupReader = (pgids: ReadonlySet<number>) => Promise<ReadonlyMap<number, GroupTotals>>;

/** Options of `UsageSampler`. */
export interface UsageSamplerOptions {
  /** Reads groups' totals. @default a `ProcSampler` over `/proc` */
  read?: GroupReader;
  /** Called when the background samples stop (the reader may close its files). */
  onIdle?: () => void;
  /** The clock, ms. @default Date.now */
  now?: () => number;
  /** How old a sample may be for an answer. @default 2000 */
  maxAgeMs?: number;
  /** Background samples' period after a request; 0 for none. @default 1000 */
  refreshMs?: number;
  /** How long after the last request the background samples go on. @default 30000 */
  keepWarmMs?: number;
}

interface Sample {
  at: number;
  usage: Map<number, GroupTotals>;
}

/** Samples process groups' usage, in the background while asked. */
export class UsageSampler {
  #read: GroupReader;
  #onIdle: () => void;
  #close: () => void = () => {};
  #now: () => number;
  #maxAgeMs: number;
  #refreshMs: number;
  #keepWarmMs: number;
  #last: Sample | null = null;
  #previous: Sample | null = null;
  /** The groups the background samples read: pgid → when its leader started. */
  #wanted = new Map<number, number>();
  #askedAt = -Infinity;
  #pending: Promise<void> | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  /** A sampler that reads nothing until asked. */
  constructor(options: UsageSamplerOptions = {}) {
    if (options.read) {
      this.#read = options.read;
      this.#onIdle = options.onIdle ?? (() => {});
    } else {
      const sampler = new ProcSampler({ maxAgeMs: 0 });
      this.#read = (pgids) => sampler.usage(pgids);
      this.#onIdle = () => sampler.releaseHandles();
      this.#close = () => sampler.close();
    }
    this.#now = options.now ?? (() => Date.now());
    this.#maxAgeMs = options.maxAgeMs ?? 2_000;
    this.#refreshMs = options.refreshMs ?? 1_000;
    this.#keepWarmMs = options.keepWarmMs ?? 30_000;
  }

  /** Stops the background samples and closes the reader. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#close();
  }

  /**
   * Usage of each group in `groups` (pgid → when its leader started, ms
   * since the epoch); a group absent from the answer has no live process.
   */
  async usage(groups: ReadonlyMap<number, number>): Promise<Map<number, UsageFigures>> {
    this.#askedAt = this.#now();
    groups.forEach((startedAt, pgid) => this.#wanted.set(pgid, startedAt));
    if (!this.#covers(groups)) {
      await this.#pending;
      if (!this.#covers(groups)) await this.#sample();
    }
    this.#keepWarm();
    return this.#figures(groups);
  }

  /** The last sample is young enough and looked at each of `groups`. */
  #covers(groups: ReadonlyMap<number, number>): boolean {
    const last = this.#last;
    if (last === null || this.#now() - last.at >= this.#maxAgeMs) return false;
    for (const pgid of groups.keys()) if (!last.usage.has(pgid)) return false;
    return true;
  }

  /** Takes a sample of the wanted groups (one at a time: callers share it). */
  #sample(): Promise<void> {
    this.#pending ??= this.#takeSample().finally(() => this.#pending = null);
    return this.#pending;
  }

  async #takeSample(): Promise<void> {
    const at = this.#now();
    // The reader's map is its own until its next pass: copy what is ours.
    const read = await this.#read(new Set(this.#wanted.keys()));
    const usage = new Map<number, GroupTotals>();
    for (const [pgid, totals] of read) {
      usage.set(pgid, { rssBytes: totals.rssBytes, cpuSeconds: totals.cpuSeconds });
    }
    // Groups with no live process are no longer looked for.
    for (const pgid of this.#wanted.keys()) if (!usage.has(pgid)) this.#wanted.delete(pgid);
    this.#previous = this.#last;
    this.#last = { at, usage };
  }

  /** Schedules the next background sample, or stops when nobody asked for `keepWarmMs`. */
  #keepWarm(): void {
    if (this.#timer !== null || this.#refreshMs <= 0 || this.#closed) return;
    const timer = setTimeout(async () => {
      this.#timer = null;
      if (this.#closed) return;
      if (this.#now() - this.#askedAt >= this.#keepWarmMs || this.#wanted.size === 0) {
        this.#onIdle();
        return;
      }
      try {
        await this.#sample();
      } catch {
        // The next request reads again and reports what fails.
      }
      this.#keepWarm();
    }, this.#refreshMs);
    Deno.unrefTimer(timer); // never what keeps sup running
    this.#timer = timer;
  }

  #figures(groups: ReadonlyMap<number, number>): Map<number, UsageFigures> {
    const current = this.#last;
    const figures = new Map<number, UsageFigures>();
    if (current === null) return figures;
    const before = this.#previous !== null && current.at - this.#previous.at < 60_000
      ? this.#previous
      : null;
    for (const [pgid, startedAt] of groups) {
      const usage = current.usage.get(pgid);
      if (!usage) continue;
      const earlier = before?.usage.get(pgid);
      const [seconds, ms] = earlier && before!.at >= startedAt
        ? [usage.cpuSeconds - earlier.cpuSeconds, current.at - before!.at]
        : [usage.cpuSeconds, current.at - startedAt];
      const cpuPercent = ms > 0 ? Math.max(0, seconds * 1000 / ms * 100) : null;
      figures.set(pgid, { rssBytes: usage.rssBytes, cpuPercent });
    }
    return figures;
  }
}
