/**
 * Resident memory and CPU time of jobs' process groups, read from Linux
 * `/proc` in one pass (for `/metrics` and `sup status`): each process's `stat` gives its
 * process group (field 5) and its CPU times (fields 14-17: user and system
 * time, and those of the children it waited for, in clock ticks), its
 * `statm` its resident pages (as memmon reads them: `stat`'s field 24 is the
 * kernel's cheaper approximation, tens of pages off).
 *
 * A pass at 500 jobs reads ~1,100 small files. Each is read with one
 * synchronous `read` into one buffer the sampler keeps (through libc where
 * sup may use FFI: `proc_files.ts`), and its numbers are parsed
 * from the bytes: no string, array or promise per file, so a pass leaves
 * next to nothing for the garbage collector (the text-and-`split` reads it
 * replaced made ~5 MiB of garbage per pass; see `metrics_text.ts` for why
 * that grew sup's RSS). Between batches of processes the pass yields one
 * event-loop turn (`setImmediate`: timers, I/O and child exits are served;
 * `setTimeout(0)` is clamped to ~2-4 ms once nested and made a scrape at
 * 500 jobs take 50-60 ms).
 *
 * A pass's figures are reused for `maxAgeMs` (500 ms): however many clients
 * scrape, `/proc` is read at most twice a second, and concurrent scrapes
 * share one pass; a scrape at a usual interval (1 s or more) always gets a
 * fresh pass.
 *
 * Memory is summed over the group as memmon sums it (pages shared by a
 * parent and its forked children count once per process). CPU time is the
 * group's: what its live processes used, and what the children they reaped
 * used; a process that ends without being reaped by one of them takes its
 * time with it (the exporter keeps the figure from going down within a run).
 *
 * @module
 */

import { setImmediate } from "node:timers";
import { openProcFiles, type ProcFile, type ProcFiles } from "./proc_files.ts";

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ: 100 on every Linux sup runs on). */
export const CLOCK_TICKS = 100;

/** What one process group uses. */
export interface GroupUsage {
  /** Resident memory of its processes, in bytes. */
  rssBytes: number;
  /** CPU time of its processes and the children they reaped, in seconds. */
  cpuSeconds: number;
}

/** Options of `ProcSampler`. */
export interface ProcSamplerOptions {
  /** How long a pass's figures are reused. @default 500 */
  maxAgeMs?: number;
  /** The `/proc` directory (tests; read with Deno's calls when not `/proc`). @default "/proc" */
  proc?: string;
}

/** Processes read between two event-loop turns (well under a millisecond of work). */
const BATCH = 50;
const SPACE = 0x20, CLOSE_PAREN = 0x29, ZERO = 0x30;

/** A group's figures and the pass that last found it. */
interface GroupRecord extends GroupUsage {
  pass: number;
}

/** Reads what process groups use; one instance per exporter. */
export class ProcSampler {
  #maxAgeMs: number;
  #files: ProcFiles;
  /** One buffer for every read (a `stat` line is ~300 bytes). */
  #buf = new Uint8Array(4096);
  #pids: number[] = [];
  #groups = new Map<number, GroupRecord>();
  #pass = 0;
  #wanted: ReadonlySet<number> = new Set();
  #readAt = -Infinity;
  #running: Promise<ReadonlyMap<number, GroupUsage>> | null = null;
  /** CPU ticks (fields 14-17) of the last `#readStat`. */
  #ticks = 0;

  /** A sampler that reads nothing until asked. */
  constructor(options: ProcSamplerOptions = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? 500;
    this.#files = openProcFiles(options.proc);
  }

  /** Releases the reader (libc). */
  close(): void {
    this.#files.close();
  }

  /**
   * What each of `pgids` uses, from a pass at most `maxAgeMs` old that
   * looked for all of them; groups with no live process are absent. The map
   * is the sampler's own, valid until the next call: read it, do not keep
   * it. Empty where `/proc` cannot be read (not Linux).
   */
  usage(pgids: ReadonlySet<number>): Promise<ReadonlyMap<number, GroupUsage>> {
    if (this.#running) return this.#running;
    const fresh = performance.now() - this.#readAt < this.#maxAgeMs;
    if (fresh && isSubset(pgids, this.#wanted)) return Promise.resolve(this.#groups);
    this.#running = this.#readPass(pgids).finally(() => this.#running = null);
    return this.#running;
  }

  async #readPass(pgids: ReadonlySet<number>): Promise<ReadonlyMap<number, GroupUsage>> {
    const pass = ++this.#pass;
    this.#wanted = pgids;
    this.#readAt = performance.now();
    const groups = this.#groups;
    if (pgids.size === 0) {
      groups.clear();
      return groups;
    }
    const pids = this.#pids;
    this.#files.listPids(pids);
    const page = pageSize();
    for (let i = 0; i < pids.length; i++) {
      if (i > 0 && i % BATCH === 0) await nextTurn();
      const pgrp = this.#readStat(pids[i]);
      if (pgrp === null || !pgids.has(pgrp)) continue;
      const pages = this.#readStatmPages(pids[i]);
      let group = groups.get(pgrp);
      if (group === undefined) groups.set(pgrp, group = { rssBytes: 0, cpuSeconds: 0, pass });
      if (group.pass !== pass) {
        group.rssBytes = 0;
        group.cpuSeconds = 0;
        group.pass = pass;
      }
      group.rssBytes += pages * page;
      group.cpuSeconds += this.#ticks / CLOCK_TICKS;
    }
    groups.forEach((group, pgid) => {
      if (group.pass !== pass) groups.delete(pgid);
    });
    return groups;
  }

  /** The process group of `pid` (and its ticks in `#ticks`), or null when gone or malformed. */
  #readStat(pid: number): number | null {
    const n = this.#read(pid, "stat");
    const buf = this.#buf;
    let i = n - 1;
    while (i >= 0 && buf[i] !== CLOSE_PAREN) i--; // the command may hold spaces and ")"
    if (i < 0) return null;
    // After ")": state(3) ppid(4) pgrp(5) ... utime(14) stime(15) cutime(16) cstime(17).
    let field = 2, value = 0, digits = 0, pgrp = 0, ticks = 0;
    for (i++; i < n && field <= 17; i++) {
      const c = buf[i];
      if (c === SPACE || c === 0x0a) {
        if (field === 5) pgrp = digits > 0 ? value : -1;
        else if (field >= 14) ticks += value;
        field++;
        value = 0;
        digits = 0;
      } else if (c >= ZERO && c <= ZERO + 9) {
        value = value * 10 + c - ZERO;
        digits++;
      } else if (field !== 3 && c !== 0x2d) {
        return null; // not a number where one belongs (tpgid, field 8, may be "-1")
      }
    }
    if (field <= 17 || pgrp <= 0) return null;
    this.#ticks = ticks;
    return pgrp;
  }

  /** Resident pages (field 2) of `/proc/<pid>/statm`; 0 when gone or malformed. */
  #readStatmPages(pid: number): number {
    const n = this.#read(pid, "statm");
    const buf = this.#buf;
    let i = 0;
    while (i < n && buf[i] !== SPACE) i++;
    let pages = 0;
    for (i++; i < n && buf[i] >= ZERO && buf[i] <= ZERO + 9; i++) {
      pages = pages * 10 + buf[i] - ZERO;
    }
    return pages;
  }

  /** Reads `/proc/<pid>/<file>` into the buffer; the bytes read, 0 when the process ended. */
  #read(pid: number, file: ProcFile): number {
    return this.#files.read(pid, file, this.#buf);
  }
}

/** One event-loop turn: timers, I/O and child exits run before the promise resolves. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function isSubset(small: ReadonlySet<number>, big: ReadonlySet<number>): boolean {
  if (small.size > big.size) return false;
  let all = true;
  small.forEach((x) => all &&= big.has(x));
  return all;
}

/** The fields `/metrics` needs of sup's own `/proc/self/stat`: its CPU time in clock ticks. */
export function parseOwnTicks(stat: string): number | null {
  const fields = stat.slice(stat.lastIndexOf(")") + 1).trim().split(/\s+/);
  const ticks = Number(fields[11]) + Number(fields[12]); // utime(14) + stime(15)
  return Number.isFinite(ticks) ? ticks : null;
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
    const pages = Number(Deno.readTextFileSync("/proc/self/statm").split(" ")[1]);
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
