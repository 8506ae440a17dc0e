/**
 * A fixed-size ring of text lines: a job's recent output (stdout and stderr
 * interleaved in the order sup read them), each line with the time it was
 * read and the stream it came from, kept in memory so the CLI (`sup logs`),
 * the panel and `job.exited` can show the last lines without reading files.
 *
 * @module
 */

/** The stream a line of output came from. */
export type OutputStream = "stdout" | "stderr";

/** One line of a job's output, as `sup logs` shows it. */
export interface OutputLine {
  /** When sup read the line (ms since the epoch; lines read in one chunk share it). */
  time: number;
  stream: OutputStream;
  /** The line without its line ending. */
  line: string;
}

/**
 * Something that holds lines not yet pushed (a capture that splits lines
 * lazily). The ring calls it before it is read or pushed to, so lines stay in
 * arrival order and `tail()` is always current.
 */
export type PendingLines = () => void;

/**
 * The last `capacity` lines pushed; `push` is O(1) and never shifts an array.
 * A line's text, time and stream sit in three parallel arrays (no object per
 * line on the hot path).
 */
export class RingBuffer {
  /** How many lines the ring keeps. */
  readonly capacity: number;
  /** Grow by push until full (an idle job holds no 1000-slot arrays), then wrap. */
  #lines: string[] = [];
  #times: number[] = [];
  #streams: OutputStream[] = [];
  /** Index of the next slot to write. */
  #next = 0;
  #size = 0;
  #pending = new Set<PendingLines>();
  /** While several pending sources settle: their lines, merged by time before they are kept. */
  #collecting: OutputLine[] | null = null;

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

  /**
   * Adds a line read at `time` from `stream`, dropping the oldest when full.
   * Lines pending elsewhere (read earlier) are settled first.
   */
  push(line: string, time: number = Date.now(), stream: OutputStream = "stdout"): void {
    if (this.#collecting) {
      this.#collecting.push({ time, stream, line });
      return;
    }
    if (this.#pending.size > 0) this.#settle();
    this.#put(line, time, stream);
  }

  /** The text of the last `n` lines (default all held), oldest first. */
  tail(n: number = this.capacity): string[] {
    this.#settle();
    const count = this.#count(n);
    const out = new Array<string>(count);
    let index = this.#first(count);
    for (let i = 0; i < count; i++) {
      out[i] = this.#lines[index];
      index = index + 1 === this.capacity ? 0 : index + 1;
    }
    return out;
  }

  /**
   * The last `n` lines (default all held) with their time and stream, oldest
   * first; with `since`, only lines read at or after that time.
   */
  lines(n: number = this.capacity, since = -Infinity): OutputLine[] {
    this.#settle();
    let count = this.#count(n);
    let index = this.#first(count);
    while (count > 0 && this.#times[index] < since) {
      index = index + 1 === this.capacity ? 0 : index + 1;
      count--;
    }
    const out = new Array<OutputLine>(count);
    for (let i = 0; i < count; i++) {
      out[i] = { time: this.#times[index], stream: this.#streams[index], line: this.#lines[index] };
      index = index + 1 === this.capacity ? 0 : index + 1;
    }
    return out;
  }

  /** Forgets every line (and any pending source's lines). */
  clear(): void {
    this.#settle();
    this.#lines = [];
    this.#times = [];
    this.#streams = [];
    this.#next = 0;
    this.#size = 0;
  }

  /**
   * Registers a source holding lines not pushed yet; it is called (once, then
   * forgotten) before the next `push`, `tail`, `lines`, `size` or `clear`. A
   * source calls this again whenever it holds new pending lines.
   */
  markPending(source: PendingLines): void {
    this.#pending.add(source);
  }

  #count(n: number): number {
    return Math.max(0, Math.min(Math.floor(n), this.#size));
  }

  /** The slot of the oldest of the last `count` lines. */
  #first(count: number): number {
    return (this.#next - count + this.capacity) % this.capacity;
  }

  #put(line: string, time: number, stream: OutputStream): void {
    if (this.#size < this.capacity) {
      this.#lines.push(line);
      this.#times.push(time);
      this.#streams.push(stream);
      this.#size++;
    } else {
      this.#lines[this.#next] = line;
      this.#times[this.#next] = time;
      this.#streams[this.#next] = stream;
    }
    this.#next = this.#next + 1 === this.capacity ? 0 : this.#next + 1;
  }

  /**
   * Pushes what pending sources hold. One source pushes straight in; the
   * lines of several (a job's stdout and its side command's, both split
   * lazily) are merged by the time they were read, so the ring keeps the
   * order in which sup read the pipes.
   */
  #settle(): void {
    if (this.#pending.size === 0) return;
    const sources = [...this.#pending];
    this.#pending.clear();
    if (sources.length === 1) {
      sources[0]();
      return;
    }
    const collected: OutputLine[] = [];
    this.#collecting = collected;
    try {
      for (const source of sources) source();
    } finally {
      this.#collecting = null;
    }
    collected.sort((a, b) => a.time - b.time); // stable: each source's own order stays
    for (const { line, time, stream } of collected) this.#put(line, time, stream);
  }
}
