/**
 * Resident memory (RSS) of jobs' processes, read from Linux `/proc` (the
 * OS adapter of memmon and `maxMemory`): of one process (its `statm`:
 * resident pages times the page size), or cumulative over its process tree.
 * A cumulative read takes one pass over `/proc`: each process's `stat`
 * gives its parent and its process group.
 *
 * Sums are cumulative as superlance's memmon `-c`: memory shared between a
 * parent and its forked children is counted once per process.
 *
 * @module
 */

import { parseProcStat } from "../core/proc_stat.ts";

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

/** The resident pages (field 2) of a `/proc/<pid>/statm` line, or null when malformed. */
export function parseStatmResident(statm: string): number | null {
  const resident = Number(statm.trim().split(/\s+/)[1]);
  return Number.isInteger(resident) && resident >= 0 ? resident : null;
}

/** A job's process whose memory is read: alone, or with its whole tree. */
export interface RssTarget {
  /** The job's process (also its process group id). */
  pid: number;
  /**
   * Also count every process descended from it (by parent pid) and every
   * process in its process group (a child whose parent died stays counted
   * while it stays in the job's group).
   */
  cumulative: boolean;
}

/**
 * Resident bytes of each target, keyed by its pid, in one pass over `/proc`
 * (none when no target is cumulative). A target whose process is gone is
 * absent. Processes that end during the pass are skipped. Throws only when
 * `/proc` cannot be read at all (not Linux).
 */
export function readRss(targets: readonly RssTarget[]): Map<number, number> {
  const totals = new Map<number, number>();
  if (targets.length === 0) return totals;
  const page = procPageSize();
  const pages = new Map<number, number>();
  const residentOf = (pid: number): number => {
    let resident = pages.get(pid);
    if (resident === undefined) {
      try {
        resident = parseStatmResident(Deno.readTextFileSync(`/proc/${pid}/statm`)) ?? 0;
      } catch {
        resident = 0; // ended meanwhile
      }
      pages.set(pid, resident);
    }
    return resident;
  };
  if (!targets.some((t) => t.cumulative)) {
    Deno.statSync("/proc/self"); // not Linux: say so, as the cumulative pass does
    for (const { pid } of targets) {
      if (exists(pid)) totals.set(pid, residentOf(pid) * page);
    }
    return totals;
  }
  const tree = readTree();
  for (const { pid, cumulative } of targets) {
    if (!tree.alive.has(pid)) continue;
    const members = cumulative ? tree.members(pid) : [pid];
    let sum = 0;
    for (const member of members) sum += residentOf(member);
    totals.set(pid, sum * page);
  }
  return totals;
}

/** Every process's parent and group, from one pass over `/proc`. */
function readTree() {
  const alive = new Set<number>();
  const children = new Map<number, number[]>();
  const groups = new Map<number, number[]>();
  const add = (map: Map<number, number[]>, key: number, pid: number) => {
    const list = map.get(key);
    if (list) list.push(pid);
    else map.set(key, [pid]);
  };
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    let text: string;
    try {
      text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    } catch {
      continue; // ended between listing and reading
    }
    const stat = parseProcStat(text);
    if (stat === null || stat.state === "Z") continue;
    alive.add(pid);
    add(children, stat.ppid, pid);
    add(groups, stat.pgrp, pid);
  }
  /** `pid`, the members of its group, and every descendant of those, each once. */
  const members = (pid: number): number[] => {
    const seen = new Set<number>();
    const queue = [pid, ...(groups.get(pid) ?? [])];
    while (queue.length > 0) {
      const next = queue.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(...(children.get(next) ?? []));
    }
    return [...seen];
  };
  return { alive, members };
}

function exists(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}
