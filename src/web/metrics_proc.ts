/**
 * Resident memory and CPU time of jobs' process groups, read from Linux
 * `/proc` in one pass per scrape (the OS adapter of `/metrics`): each
 * process's `stat` gives its process group (field 5) and its CPU times
 * (fields 14-17: user and system time, and those of the children it waited
 * for, in clock ticks), its `statm` its resident pages (as memmon reads
 * them: `stat`'s field 24 differs from it by tens of pages here).
 *
 * The files are read synchronously, a batch at a time, yielding to the
 * event loop between batches, so a scrape at 500 jobs never holds sup's
 * event loop for the whole pass (20-45 ms in one go on a busy 2-core
 * machine, and a restart waits for whatever holds the loop), without the
 * thread pool `Deno.readTextFile` would use for a thousand small reads.
 *
 * Memory is summed over the group as memmon sums it (pages shared by a
 * parent and its forked children count once per process). CPU time is the
 * group's: what its live processes used, and what the children they reaped
 * used; a process that ends without being reaped by one of them takes its
 * time with it (the exporter keeps the figure from going down within a run).
 *
 * @module
 */

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ: 100 on every Linux sup runs on). */
export const CLOCK_TICKS = 100;

/** What one process group uses. */
export interface GroupUsage {
  /** Resident memory of its processes, in bytes. */
  rssBytes: number;
  /** CPU time of its processes and the children they reaped, in seconds. */
  cpuSeconds: number;
}

/** What `/metrics` reads of one process. */
export interface StatUsage {
  /** Process group. */
  pgrp: number;
  /** CPU time the process used (user + system), in clock ticks. */
  ownTicks: number;
  /** CPU time of the children it waited for (user + system), in clock ticks. */
  childTicks: number;
}

/** The fields `/metrics` needs of one `/proc/<pid>/stat` line, or null when malformed. */
export function parseStatUsage(stat: string): StatUsage | null {
  const end = stat.lastIndexOf(")");
  if (end < 0) return null;
  // After ")": state(3) ppid(4) pgrp(5) ... utime(14) stime(15) cutime(16) cstime(17).
  const fields = stat.slice(end + 1).trim().split(/\s+/);
  const field = (n: number) => Number(fields[n - 3]);
  const pgrp = field(5);
  const ownTicks = field(14) + field(15);
  const childTicks = field(16) + field(17);
  if (!Number.isInteger(pgrp) || pgrp <= 0 || !Number.isFinite(ownTicks + childTicks)) return null;
  return { pgrp, ownTicks, childTicks };
}

/** Resident pages (field 2) of a `/proc/<pid>/statm` line, or null when malformed. */
export function parseStatmPages(statm: string): number | null {
  const pages = Number(statm.trim().split(/\s+/)[1]);
  return Number.isInteger(pages) && pages >= 0 ? pages : null;
}

/** Processes read between two yields to the event loop (about a millisecond of work). */
const BATCH = 50;

/**
 * What each of `pgids` uses now, in one pass over `/proc`; groups with no
 * live process are absent. Processes ending during the pass are skipped.
 * An empty map where `/proc` cannot be read (not Linux).
 */
export async function readGroupUsage(
  pgids: ReadonlySet<number>,
): Promise<Map<number, GroupUsage>> {
  const usage = new Map<number, GroupUsage>();
  if (pgids.size === 0) return usage;
  const pids: number[] = [];
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      const pid = Number(entry.name);
      if (Number.isInteger(pid) && pid > 0) pids.push(pid);
    }
  } catch {
    if (pids.length === 0) return usage; // not Linux
  }
  const page = pageSize();
  for (let i = 0; i < pids.length; i++) {
    if (i > 0 && i % BATCH === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    try {
      const stat = parseStatUsage(Deno.readTextFileSync(`/proc/${pids[i]}/stat`));
      if (stat === null || !pgids.has(stat.pgrp)) continue;
      const pages = parseStatmPages(Deno.readTextFileSync(`/proc/${pids[i]}/statm`)) ?? 0;
      const group = usage.get(stat.pgrp) ?? { rssBytes: 0, cpuSeconds: 0 };
      group.rssBytes += pages * page;
      group.cpuSeconds += (stat.ownTicks + stat.childTicks) / CLOCK_TICKS;
      usage.set(stat.pgrp, group);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return usage;
}

let measuredPage: number | undefined;

/**
 * The kernel's page size: this process's `VmRSS` (kB, `/proc/self/status`)
 * over its resident pages (`/proc/self/statm`), rounded to a power of two;
 * 4096 when that cannot be read.
 */
export function pageSize(): number {
  if (measuredPage !== undefined) return measuredPage;
  measuredPage = 4096;
  try {
    const pages = parseStatmPages(Deno.readTextFileSync("/proc/self/statm"));
    const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(Deno.readTextFileSync("/proc/self/status"));
    if (pages && kb) {
      const size = 2 ** Math.round(Math.log2((Number(kb[1]) * 1024) / pages));
      if (size >= 4096 && size <= 65536) measuredPage = size;
    }
  } catch {
    // Not Linux: keep 4096.
  }
  return measuredPage;
}
