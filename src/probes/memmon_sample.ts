/**
 * The memory check shared by the job option `maxMemory` (`MemmonProbe`)
 * and the `memmon` listener: the resident memory of a set of jobs'
 * processes, read in one pass, and which of them are over their limit.
 *
 * @module
 */

import { readRss, type RssTarget } from "./proc_memory.ts";

/** Reads the resident bytes of targets, keyed by pid (absent: no such process). */
export type RssReader = (targets: readonly RssTarget[]) => Map<number, number>;

/** One job's process to check against its limit. */
export interface MemoryTarget extends RssTarget {
  job: string;
  /** Bytes it may use. */
  limit: number;
}

/** A target found over its limit. */
export interface OverLimit {
  target: MemoryTarget;
  /** Resident bytes read. */
  rss: number;
}

/** Reads every target once (`read`, default `/proc`) and returns those over their limit, in order. */
export function overLimit(
  targets: readonly MemoryTarget[],
  read: RssReader = readRss,
): OverLimit[] {
  if (targets.length === 0) return [];
  const totals = read(targets);
  const over: OverLimit[] = [];
  for (const target of targets) {
    const rss = totals.get(target.pid);
    if (rss !== undefined && rss > target.limit) over.push({ target, rss });
  }
  return over;
}

/** An `RssReader` from a per-process lookup (tests). */
export function perPid(rssOf: (pid: number) => number | null): RssReader {
  return (targets) => {
    const totals = new Map<number, number>();
    for (const { pid } of targets) {
      const rss = rssOf(pid);
      if (rss !== null) totals.set(pid, rss);
    }
    return totals;
  };
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
