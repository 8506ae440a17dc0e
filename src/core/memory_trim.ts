/**
 * Gives back to the operating system the memory glibc's allocator keeps
 * after a burst. After a flood of datagrams, connections or requests the
 * native side of the runtime (sockets, HTTP buffers) has freed its memory to
 * malloc, which keeps it mapped: measured after a 10 s WebSocket + HTTP
 * flood and 30 s idle, 5 MB of anonymous RSS stayed above the baseline until
 * `malloc_trim(0)` returned it (bench/README.md, "Flood"). V8's own heap
 * shrinks by itself (its memory reducer); this is the part it cannot reach.
 *
 * The trimmer reads sup's anonymous RSS every `intervalMs` (one small
 * /proc read) and trims when it is more than `slackKb` above the lowest
 * level seen: after (or during) a burst, never on a quiet sup. A trim takes
 * well under a millisecond on sup's heap.
 *
 * @module
 */

import { openLibc } from "./libc.ts";

/** What the trimmer needs from the OS (injected in tests). */
export interface TrimOs {
  /** sup's anonymous resident memory, KiB (`RssAnon` of /proc/self/status). */
  anonKb(): number;
  /** Calls glibc's `malloc_trim(0)`. */
  trim(): void;
}

/** Options of `MemoryTrimmer`. */
export interface MemoryTrimmerOptions {
  /** How often to look. @default 5_000 */
  intervalMs?: number;
  /** Growth above the low mark that is worth a trim, KiB. @default 2048 */
  slackKb?: number;
  /** Wait after a trim that gave back less than half the slack. @default 60_000 */
  idleGapMs?: number;
  /** The clock, ms. @default Date.now */
  now?: () => number;
  /** The OS side. @default glibc through FFI, or none (then the trimmer does nothing) */
  os?: TrimOs | null;
}

/** Trims malloc's free memory after bursts. `close()` stops it. */
export class MemoryTrimmer {
  readonly #os: TrimOs | null;
  readonly #slackKb: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #idleGapMs: number;
  readonly #now: () => number;
  #low = Infinity;
  #notBefore = 0;
  /** Trims done so far. */
  trims = 0;

  /** Starts looking every `intervalMs` (nothing when there is no `malloc_trim`). */
  constructor(options: MemoryTrimmerOptions = {}) {
    this.#os = options.os === undefined ? glibcTrimOs() : options.os;
    this.#slackKb = options.slackKb ?? 2048;
    this.#idleGapMs = options.idleGapMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    if (!this.#os) return;
    const timer = setInterval(() => this.check(), options.intervalMs ?? 5_000);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /**
   * One look: trims when memory is more than the slack above the low mark.
   * A trim that gave back little means the memory is in use (a flood going
   * on, more jobs): the next one waits `idleGapMs`, so a busy sup is not
   * trimmed every look for nothing.
   */
  check(): void {
    if (!this.#os) return;
    const before = this.#os.anonKb();
    this.#low = Math.min(this.#low, before);
    if (before - this.#low <= this.#slackKb || this.#now() < this.#notBefore) return;
    this.#os.trim();
    this.trims++;
    const after = this.#os.anonKb();
    this.#low = Math.min(this.#low, after);
    this.#notBefore = before - after < this.#slackKb / 2 ? this.#now() + this.#idleGapMs : 0;
  }

  /** Stops looking. */
  close(): void {
    clearInterval(this.#timer);
  }
}

/** glibc's `malloc_trim` and /proc/self/status, or null off glibc Linux or without FFI permission. */
function glibcTrimOs(): TrimOs | null {
  const lib = openLibc({ malloc_trim: { parameters: ["usize"], result: "i32" } });
  if (lib === null) return null; // musl and others: no malloc_trim
  return {
    anonKb: () => {
      const status = Deno.readTextFileSync("/proc/self/status");
      return Number(/^RssAnon:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    },
    trim: () => void lib.symbols.malloc_trim(0n),
  };
}
