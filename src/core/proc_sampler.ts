/**
 * Resident memory and CPU time of jobs' process groups, read from Linux
 * `/proc` (for `/metrics` and `sup status`): each process's `stat` gives its
 * process group (field 5), its CPU times (fields 14-17: user and system
 * time, and those of the children it waited for, in clock ticks) and its
 * resident pages (field 24, as `ps` and Prometheus' process collector read
 * it). `statm` adds up the kernel's per-CPU counts and `stat` does not: on
 * Linux 6.18 a small process's figure here is up to ~100 pages (0.4 MiB)
 * below `statm`'s; memmon and `maxMemory`, which enforce limits, read
 * `statm`. Reading `statm` too would cost a second file per process.
 *
 * What a pass costs is the kernel writing `stat` files: ~6 µs each, however
 * they are read (measured in C on 500 processes). So a pass reads as few as
 * it can and opens fewer still:
 * - A process is known by its pid and the inode of its `/proc` entry (new
 *   for every process, so a reused pid is a new process). A known process
 *   outside the groups asked for is not read again: its group was read once,
 *   and a process can move only into a group of its own session, which jobs'
 *   sessions are not (`setsid`). At 500 jobs that skips ~600 files a pass.
 * - A process inside a group keeps its `stat` open while it lives, and the
 *   next pass reads it again from the start (`pread`): no `open` and `close`
 *   per pass. A handle reads nothing once its process ended, whatever now
 *   has the pid. At most `maxHandles` are kept (one descriptor each); they
 *   are closed when their process is gone and with `releaseHandles()`.
 *
 * Each file is read with one synchronous call into one buffer the sampler
 * keeps (through libc where sup may use FFI: `proc_files.ts`), and its
 * numbers are parsed from the bytes: no string, array or promise per file,
 * so a pass leaves next to nothing for the garbage collector (the
 * text-and-`split` reads it replaced made ~5 MiB of garbage per pass; see
 * `metrics_text.ts` for why that grew sup's RSS). Between batches of
 * processes the pass yields one event-loop turn (`setImmediate`: timers, I/O
 * and child exits are served; `setTimeout(0)` is clamped to ~2-4 ms once
 * nested and made a scrape at 500 jobs take 50-60 ms).
 *
 * A pass's figures are reused for `maxAgeMs` (500 ms): however many clients
 * ask, `/proc` is read at most twice a second, and concurrent callers share
 * one pass.
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
import { openProcFiles, type ProcFiles } from "./proc_files.ts";

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
  /** How many `stat` files of group members stay open between passes. @default 4096 */
  maxHandles?: number;
}

/** What the sampler's passes have done, for tests and benchmarks. */
export interface ProcSamplerCounts {
  /** Passes over `/proc`. */
  passes: number;
  /** `stat` files opened (each read once at least). */
  opened: number;
  /** Reads of a `stat` file kept open. */
  reread: number;
  /** `stat` files open now. */
  handles: number;
}

/** Processes read between two event-loop turns (well under a millisecond of work). */
const BATCH = 50;
const SPACE = 0x20, NEWLINE = 0x0a, MINUS = 0x2d, CLOSE_PAREN = 0x29, ZERO = 0x30;

/** A group's figures and the pass that last found it. */
interface GroupRecord extends GroupUsage {
  pass: number;
}

/** A process a pass has seen. */
interface KnownProcess {
  /** The inode of its `/proc` entry (0: unknown, read it every pass). */
  id: number;
  /** Its process group when last read. */
  pgrp: number;
  /** Its open `stat`, or -1. */
  handle: number;
  /** The last pass that listed it. */
  pass: number;
}

/** Reads what process groups use; one instance per exporter. */
export class ProcSampler {
  #maxAgeMs: number;
  #maxHandles: number;
  #files: ProcFiles;
  /** One buffer for every read (a `stat` line is ~300 bytes). */
  #buf = new Uint8Array(4096);
  #pids: number[] = [];
  #ids: number[] = [];
  #known = new Map<number, KnownProcess>();
  #groups = new Map<number, GroupRecord>();
  #counts: ProcSamplerCounts = { passes: 0, opened: 0, reread: 0, handles: 0 };
  #wanted: ReadonlySet<number> = new Set();
  #readAt = -Infinity;
  #running: Promise<ReadonlyMap<number, GroupUsage>> | null = null;
  /** Fields of the last `#parseStat`: CPU ticks (14-17) and resident pages (24). */
  #ticks = 0;
  #pages = 0;

  /** A sampler that reads nothing until asked. */
  constructor(options: ProcSamplerOptions = {}) {
    this.#maxAgeMs = options.maxAgeMs ?? 500;
    this.#maxHandles = options.maxHandles ?? 4096;
    this.#files = openProcFiles(options.proc);
  }

  /** Releases the reader (libc) and every open file. */
  close(): void {
    this.releaseHandles();
    this.#files.close();
  }

  /** Closes the files kept open (when nobody has asked for a while); the next pass opens them again. */
  releaseHandles(): void {
    this.#known.forEach((known) => this.#release(known));
  }

  /** What the passes have done so far. */
  counts(): Readonly<ProcSamplerCounts> {
    return { ...this.#counts };
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
    const pass = ++this.#counts.passes;
    this.#wanted = pgids;
    this.#readAt = performance.now();
    const groups = this.#groups;
    if (pgids.size === 0) {
      groups.clear();
      return groups;
    }
    const pids = this.#pids, ids = this.#ids, known = this.#known;
    this.#files.listPids(pids, ids);
    const page = pageSize();
    for (let i = 0; i < pids.length; i++) {
      if (i > 0 && i % BATCH === 0) await nextTurn();
      const pid = pids[i];
      let process = known.get(pid);
      if (process !== undefined && (process.id !== ids[i] || process.id === 0)) {
        this.#release(process); // a new process with an old pid
        process = undefined;
      }
      if (process === undefined) {
        process = { id: ids[i], pgrp: 0, handle: -1, pass };
        known.set(pid, process);
      } else if (!pgids.has(process.pgrp)) {
        process.pass = pass; // known, outside the groups: not read again
        continue;
      }
      process.pass = pass;
      const pgrp = this.#readProcess(pid, process, pgids);
      if (pgrp === null || !pgids.has(pgrp)) continue;
      let group = groups.get(pgrp);
      if (group === undefined) groups.set(pgrp, group = { rssBytes: 0, cpuSeconds: 0, pass });
      if (group.pass !== pass) {
        group.rssBytes = 0;
        group.cpuSeconds = 0;
        group.pass = pass;
      }
      group.rssBytes += this.#pages * page;
      group.cpuSeconds += this.#ticks / CLOCK_TICKS;
    }
    known.forEach((process, pid) => {
      if (process.pass === pass) return;
      this.#release(process);
      known.delete(pid);
    });
    groups.forEach((group, pgid) => {
      if (group.pass !== pass) groups.delete(pgid);
    });
    return groups;
  }

  /**
   * Reads `process`'s `stat` (through its kept handle, else opened now) and
   * keeps the handle while the process is in one of `pgids`: its process
   * group (0 for a kernel thread or a malformed file), or null when it ended.
   */
  #readProcess(pid: number, process: KnownProcess, pgids: ReadonlySet<number>): number | null {
    const files = this.#files, counts = this.#counts;
    const kept = process.handle >= 0;
    if (kept) counts.reread++;
    else {
      process.handle = files.openStat(pid);
      if (process.handle < 0) {
        this.#known.delete(pid);
        return null;
      }
      counts.opened++;
      counts.handles++;
    }
    const n = files.readFrom(process.handle, this.#buf);
    if (n === 0) { // ended: forgotten until listed anew
      this.#release(process);
      this.#known.delete(pid);
      return null;
    }
    // A kernel thread (process group 0) or a malformed file: in no group.
    const pgrp = this.#parseStat(n) ?? 0;
    process.pgrp = pgrp;
    if (!pgids.has(pgrp) || (!kept && counts.handles > this.#maxHandles)) this.#release(process);
    return pgrp;
  }

  #release(process: KnownProcess): void {
    if (process.handle < 0) return;
    this.#files.release(process.handle);
    process.handle = -1;
    this.#counts.handles--;
  }

  /**
   * The process group in the buffer's first `n` bytes of a `stat` (its CPU
   * ticks in `#ticks`, its resident pages in `#pages`), or null when empty
   * or malformed.
   */
  #parseStat(n: number): number | null {
    const buf = this.#buf;
    let i = n - 1;
    while (i >= 0 && buf[i] !== CLOSE_PAREN) i--; // the command may hold spaces and ")"
    if (i < 0) return null;
    // After ")": state(3) ppid(4) pgrp(5) ... utime(14) stime(15) cutime(16) cstime(17) ... rss(24).
    let field = 2, value = 0, digits = 0, pgrp = 0, ticks = 0;
    for (i++; i < n && field <= 24; i++) {
      const c = buf[i];
      if (c === SPACE || c === NEWLINE) {
        if (field === 5) pgrp = digits > 0 ? value : -1;
        else if (field >= 14 && field <= 17) ticks += value;
        else if (field === 24) this.#pages = value;
        field++;
        value = 0;
        digits = 0;
      } else if (c >= ZERO && c <= ZERO + 9) {
        value = value * 10 + c - ZERO;
        digits++;
      } else if (field !== 3 && c !== MINUS) {
        return null; // not a number where one belongs (tpgid, field 8, may be "-1")
      }
    }
    if (field <= 24 || pgrp <= 0) return null;
    this.#ticks = ticks;
    return pgrp;
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
