/**
 * Rate limits for repeated log lines: per key (an app, a job, a user), at
 * most `lines` lines per interval; lines past that are counted, and the next
 * line of that key that may be written says how many were skipped. Keeps at
 * most a bounded number of keys (the oldest windows are forgotten first).
 *
 * @module
 */

/** Most keys remembered at once. */
const MAX_KEYS = 4096;

interface Window {
  start: number;
  used: number;
  skipped: number;
}

/** Per-key line budgets over a fixed interval. */
export class LineLimiter {
  #windows = new Map<string, Window>();

  /**
   * @param intervalMs length of one window
   * @param lines lines per key per window
   */
  constructor(readonly intervalMs: number, readonly lines = 1) {}

  /**
   * Whether a line of `key` may be written at `now`: null when it may not
   * (it is counted), else the number of lines of that key skipped since the
   * last one written (0 usually).
   */
  take(key: string, now: number): number | null {
    let w = this.#windows.get(key);
    if (w !== undefined && now - w.start >= this.intervalMs) {
      w.start = now;
      w.used = 0;
    }
    if (w === undefined) {
      if (this.#windows.size >= MAX_KEYS) this.#forget(now);
      w = { start: now, used: 0, skipped: 0 };
      this.#windows.set(key, w);
    }
    if (w.used >= this.lines) {
      w.skipped++;
      return null;
    }
    w.used++;
    const skipped = w.skipped;
    w.skipped = 0;
    return skipped;
  }

  /** Keys remembered now (for tests). */
  get size(): number {
    return this.#windows.size;
  }

  /** Drops windows that have ended, else the oldest half. */
  #forget(now: number): void {
    for (const [key, w] of this.#windows) {
      if (now - w.start >= this.intervalMs) this.#windows.delete(key);
    }
    if (this.#windows.size < MAX_KEYS) return;
    let n = MAX_KEYS >> 1;
    for (const key of this.#windows.keys()) {
      if (n-- <= 0) break;
      this.#windows.delete(key);
    }
  }
}

/** " (N similar lines skipped)" for a positive count, else "". */
export function skippedNote(skipped: number): string {
  return skipped > 0 ? ` (${skipped} similar lines skipped)` : "";
}

/** `text` cut to `max` characters, with "…(+N)" saying how much was cut. */
export function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(+${text.length - max} chars)`;
}
