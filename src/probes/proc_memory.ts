/**
 * Resident memory of process groups, read from Linux `/proc` (the OS
 * adapter of memmon). One pass over `/proc` per call: each process's
 * `stat` gives its process group (field 5), and for the groups asked about
 * its `statm` gives resident pages, multiplied by the page size.
 *
 * The sum is cumulative, as superlance's memmon: memory shared between a
 * parent and its forked children is counted once per process.
 *
 * @module
 */

/** Page size assumed when it cannot be measured (x86-64, most arm64 kernels). */
const DEFAULT_PAGE_SIZE = 4096;

let pageSize: number | undefined;

/**
 * The kernel's page size in bytes, measured once by comparing this process's
 * resident pages (`/proc/self/statm`) with its `VmRSS` in kB
 * (`/proc/self/status`); 4096 when that cannot be read.
 */
export function procPageSize(): number {
  if (pageSize === undefined) pageSize = measurePageSize() ?? DEFAULT_PAGE_SIZE;
  return pageSize;
}

function measurePageSize(): number | null {
  try {
    const pages = parseStatmResident(Deno.readTextFileSync("/proc/self/statm"));
    const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(Deno.readTextFileSync("/proc/self/status"));
    if (pages === null || pages === 0 || kb === null) return null;
    // The two reads are microseconds apart; round the ratio to a power of two.
    const ratio = (Number(kb[1]) * 1024) / pages;
    const size = 2 ** Math.round(Math.log2(ratio));
    return size >= 4096 && size <= 65536 ? size : null;
  } catch {
    return null;
  }
}

/**
 * The process group (field 5) of a `/proc/<pid>/stat` line, or null when the
 * line is malformed. The command name (field 2) is in parentheses and may
 * itself hold spaces and parentheses, so fields are counted after the last ")".
 */
export function parseStatPgrp(stat: string): number | null {
  const end = stat.lastIndexOf(")");
  if (end < 0) return null;
  // After ")": state, ppid, pgrp, ...
  const fields = stat.slice(end + 1).trim().split(/\s+/);
  const pgrp = Number(fields[2]);
  return Number.isInteger(pgrp) && pgrp > 0 ? pgrp : null;
}

/** The resident pages (field 2) of a `/proc/<pid>/statm` line, or null when malformed. */
export function parseStatmResident(statm: string): number | null {
  const resident = Number(statm.trim().split(/\s+/)[1]);
  return Number.isInteger(resident) && resident >= 0 ? resident : null;
}

/**
 * Sums the resident memory (bytes) of every process in each of `pgids`, in
 * one pass over `/proc`. Groups with no live process are absent from the
 * result. Processes that end during the pass are skipped. Throws only when
 * `/proc` itself cannot be listed (not Linux).
 */
export function readGroupRss(pgids: ReadonlySet<number>): Map<number, number> {
  const totals = new Map<number, number>();
  if (pgids.size === 0) return totals;
  const page = procPageSize();
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    try {
      const pgrp = parseStatPgrp(Deno.readTextFileSync(`/proc/${pid}/stat`));
      if (pgrp === null || !pgids.has(pgrp)) continue;
      const pages = parseStatmResident(Deno.readTextFileSync(`/proc/${pid}/statm`));
      if (pages === null) continue;
      totals.set(pgrp, (totals.get(pgrp) ?? 0) + pages * page);
    } catch {
      // The process ended between listing and reading: nothing to count.
    }
  }
  return totals;
}
