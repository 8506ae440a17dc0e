/**
 * Resident memory and CPU use of jobs' process groups, read from Linux
 * `/proc` for `sup status`. One pass over `/proc/<pid>/stat` gives every
 * process's group, CPU ticks (its own and its reaped children's) and
 * resident pages. A pass costs ~10-20 µs per process on the machine, so a
 * sample is reused for `maxAgeMs` (1 s: `sup status -w` redraws every
 * second) and status requests in between cost nothing.
 *
 * CPU % is over the time between the last two samples when they are less
 * than a minute apart, else since the process group's leader started.
 *
 * @module
 */

import { procPageSize } from "./proc_memory.ts";

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** One process group's totals. */
export interface GroupUsage {
  /** Resident memory of every member (bytes). */
  rssBytes: number;
  /** CPU ticks of every member and the children they reaped. */
  cpuTicks: number;
}

/** A group's usage for status. */
export interface UsageFigures {
  rssBytes: number;
  /** Percent of one core, or null when it cannot be told yet. */
  cpuPercent: number | null;
}

/** Sums the usage of each group in `pgids`, in one pass over `/proc` (empty off Linux). */
export function readGroupUsage(pgids: ReadonlySet<number>): Map<number, GroupUsage> {
  const totals = new Map<number, GroupUsage>();
  if (pgids.size === 0) return totals;
  const page = procPageSize();
  let entries: Iterable<Deno.DirEntry>;
  try {
    entries = Deno.readDirSync("/proc");
  } catch {
    return totals;
  }
  for (const entry of entries) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    let text: string;
    try {
      text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    } catch {
      continue; // ended meanwhile
    }
    const fields = statFields(text);
    if (fields === null) continue;
    const pgrp = Number(fields[2]);
    if (!pgids.has(pgrp)) continue;
    // Fields after ")" start at field 3: utime is field 14, stime 15, cutime 16, cstime 17, rss 24.
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) +
      Number(fields[14]);
    const rss = Number(fields[21]) * page;
    const total = totals.get(pgrp) ?? { rssBytes: 0, cpuTicks: 0 };
    total.rssBytes += Number.isFinite(rss) ? rss : 0;
    total.cpuTicks += Number.isFinite(ticks) ? ticks : 0;
    totals.set(pgrp, total);
  }
  return totals;
}

function statFields(text: string): string[] | null {
  const end = text.lastIndexOf(")");
  return end < 0 ? null : text.slice(end + 2).split(" ");
}

interface Sample {
  at: number;
  usage: Map<number, GroupUsage>;
}

/** Samples process groups' usage at most once per `maxAgeMs`. */
export class UsageSampler {
  #read: (pgids: ReadonlySet<number>) => Map<number, GroupUsage>;
  #now: () => number;
  #maxAgeMs: number;
  #last: Sample | null = null;
  #previous: Sample | null = null;

  /** @param options the reader and clock (tests), and how long a sample is reused */
  constructor(options: {
    read?: (pgids: ReadonlySet<number>) => Map<number, GroupUsage>;
    now?: () => number;
    maxAgeMs?: number;
  } = {}) {
    this.#read = options.read ?? readGroupUsage;
    this.#now = options.now ?? (() => Date.now());
    this.#maxAgeMs = options.maxAgeMs ?? 1_000;
  }

  /**
   * Usage of each group in `groups` (pgid → when its leader started, ms
   * since the epoch); a group absent from the answer has no live process.
   */
  usage(groups: ReadonlyMap<number, number>): Map<number, UsageFigures> {
    const now = this.#now();
    const last = this.#last;
    const fresh = last !== null && now - last.at < this.#maxAgeMs &&
      [...groups.keys()].every((pgid) => last.usage.has(pgid));
    if (!fresh) {
      this.#previous = last;
      this.#last = { at: now, usage: this.#read(new Set(groups.keys())) };
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
      const [ticks, ms] = earlier && before!.at >= startedAt
        ? [usage.cpuTicks - earlier.cpuTicks, current.at - before!.at]
        : [usage.cpuTicks, current.at - startedAt];
      const cpuPercent = ms > 0 ? Math.max(0, (ticks / TICKS_PER_SECOND) * 1000 / ms * 100) : null;
      figures.set(pgid, { rssBytes: usage.rssBytes, cpuPercent });
    }
    return figures;
  }
}
