/**
 * A fixed-size ring of text lines: a job's recent output (stdout and stderr
 * interleaved), kept in memory so the CLI, the panel and `job.exited` can
 * show the last lines without reading files.
 *
 * @module
 */

/**
 * Something that holds lines not yet pushed (a capture that splits lines
 * lazily). The ring calls it before it is read or pushed to, so lines stay in
 * arrival order and `tail()` is always current.
 */
export type PendingLines = () => void;

/** The last `capacity` lines pushed; `push` is O(1) and never shifts an array. */
export class RingBuffer {
  /** How many lines the ring keeps. */
  readonly capacity: number;
  /** Grows by push until full (an idle job holds no 1000-slot array), then wraps. */
  #lines: string[] = [];
  /** Index of the next slot to write. */
  #next = 0;
  #size = 0;
  #pending = new Set<PendingLines>();

  /** @param capacity lines kept (default 1000, at least 1) */
  constructor(capacity = 1000) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`RingBuffer capacity must be a whole number >= 1, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** Lines currently held (at most `capacity`). */
  get size(): number {
    this.#settle();
    return this.#size;
  }

  /** Adds a line, dropping the oldest when full. */
  push(line: string): void {
    if (this.#pending.size > 0) this.#settle();
    this.#put(line);
  }

  /** The last `n` lines (default all held), oldest first. */
  tail(n: number = this.capacity): string[] {
    this.#settle();
    const count = Math.max(0, Math.min(Math.floor(n), this.#size));
    const out = new Array<string>(count);
    let index = (this.#next - count + this.capacity) % this.capacity;
    for (let i = 0; i < count; i++) {
      out[i] = this.#lines[index];
      index = index + 1 === this.capacity ? 0 : index + 1;
    }
    return out;
  }

  /** Forgets every line (and any pending source's lines). */
  clear(): void {
    this.#settle();
    this.#lines = [];
    this.#next = 0;
    this.#size = 0;
  }

  /**
   * Registers a source holding lines not pushed yet; it is called (once, then
   * forgotten) before the next `push`, `tail`, `size` or `clear`. A source
   * calls this again whenever it holds new pending lines.
   */
  markPending(source: PendingLines): void {
    this.#pending.add(source);
  }

  #put(line: string): void {
    if (this.#size < this.capacity) this.#lines.push(line);
    else this.#lines[this.#next] = line;
    this.#next = this.#next + 1 === this.capacity ? 0 : this.#next + 1;
    if (this.#size < this.capacity) this.#size++;
  }

  #settle(): void {
    if (this.#pending.size === 0) return;
    const sources = [...this.#pending];
    this.#pending.clear();
    for (const source of sources) source();
  }
}
