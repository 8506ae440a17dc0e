/**
 * CPU % and memory of jobs' process groups for `sup status`, from the one
 * `/proc` sampler (`core/proc_sampler.ts`, shared with `/metrics`: bytes
 * read through libc, a pass at 500 jobs in a few milliseconds). A sample is
 * reused for `maxAgeMs` (1 s: `sup status -w` redraws every second).
 *
 * CPU % is over the time between the last two samples when they are less
 * than a minute apart, else since the process group's leader started.
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

interface Sample {
  at: number;
  usage: Map<number, GroupTotals>;
}

/** Samples process groups' usage at most once per `maxAgeMs`. */
export class UsageSampler {
  #read: GroupReader;
  #now: () => number;
  #maxAgeMs: number;
  #last: Sample | null = null;
  #previous: Sample | null = null;

  /** @param options the reader and clock (tests), and how long a sample is reused */
  constructor(options: { read?: GroupReader; now?: () => number; maxAgeMs?: number } = {}) {
    if (options.read) this.#read = options.read;
    else {
      const sampler = new ProcSampler({ maxAgeMs: 0 });
      this.#read = (pgids) => sampler.usage(pgids);
    }
    this.#now = options.now ?? (() => Date.now());
    this.#maxAgeMs = options.maxAgeMs ?? 1_000;
  }

  /**
   * Usage of each group in `groups` (pgid → when its leader started, ms
   * since the epoch); a group absent from the answer has no live process.
   */
  async usage(groups: ReadonlyMap<number, number>): Promise<Map<number, UsageFigures>> {
    const now = this.#now();
    const last = this.#last;
    const fresh = last !== null && now - last.at < this.#maxAgeMs &&
      [...groups.keys()].every((pgid) => last.usage.has(pgid));
    if (!fresh) {
      // The reader's map is its own until its next pass: copy what is ours.
      const read = await this.#read(new Set(groups.keys()));
      const usage = new Map<number, GroupTotals>();
      for (const [pgid, totals] of read) {
        usage.set(pgid, { rssBytes: totals.rssBytes, cpuSeconds: totals.cpuSeconds });
      }
      this.#previous = this.#last;
      this.#last = { at: now, usage };
    }
    const current = this.#last!;
    const before = this.#previous !== null && current.at - this.#previous.at < 60_000
      ? this.#previous
      : null;
    const figures = new Map<number, UsageFigures>();
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
