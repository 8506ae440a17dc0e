/**
 * Turns a stream of bytes into text lines: decodes UTF-8 as a stream (a
 * character cut across two reads is decoded whole; invalid bytes become
 * U+FFFD, never an error), splits on `\n` (dropping a `\r` before it), and
 * caps very long lines so a job printing without newlines cannot make sup
 * grow without bound.
 *
 * Splitting can be lazy: `write` only decodes (one call per chunk) and
 * queues the text; `settle(keep)` then splits only the last `keep` lines,
 * skipping older ones that a ring of `keep` lines would drop anyway. A job
 * writing megabytes per second to a file thus costs one decode per chunk,
 * not one string per line.
 *
 * @module
 */

/** Default longest line kept, in characters; the rest of the line is dropped. */
export const DEFAULT_MAX_LINE_CHARS = 16 * 1024;

/** Appended to a line that was cut at the length cap. */
export const TRUNCATED_MARK = " [truncated]";

/** Receives a complete line and the time of the chunk that completed it. */
export type LineHandler = (line: string, time: number) => void;

/** Splits byte chunks into lines and hands each line, with its chunk's time, to `onLine`. */
export class LineSplitter {
  #onLine: LineHandler;
  #maxChars: number;
  #decoder = new TextDecoder();
  /** Decoded text not yet split, and the time each piece was read. */
  #queued: string[] = [];
  #queuedTimes: number[] = [];
  /** The time of the piece being split (a line gets the time of the chunk that ends it). */
  #time = 0;
  #queuedChars = 0;
  /** Start of the current unfinished line (at most `maxChars` long). */
  #carry = "";
  /** The current line passed the cap and was already emitted, cut. */
  #dropping = false;

  /**
   * @param onLine receives each complete line, without its line ending, and its chunk's time
   * @param maxLineChars longest line kept (default 16 K characters); longer lines are cut and marked
   */
  constructor(onLine: LineHandler, maxLineChars = DEFAULT_MAX_LINE_CHARS) {
    this.#onLine = onLine;
    this.#maxChars = Math.max(1, maxLineChars);
  }

  /** Characters decoded and not yet split (for callers bounding memory). */
  get queuedChars(): number {
    return this.#queuedChars;
  }

  /**
   * Decodes and queues a chunk read at `time`; no line is emitted until
   * `settle`. The caller may reuse the chunk's buffer.
   */
  write(chunk: Uint8Array, time: number = Date.now()): void {
    const text = this.#decoder.decode(chunk, { stream: true });
    if (text.length === 0) return;
    this.#queued.push(text);
    this.#queuedTimes.push(time);
    this.#queuedChars += text.length;
  }

  /**
   * Emits the complete lines queued, or only the last `keep` of them (the
   * older ones are dropped unseen).
   */
  settle(keep = Infinity): void {
    if (this.#queued.length === 0) return;
    const queued = this.#queued;
    const times = this.#queuedTimes;
    this.#queued = [];
    this.#queuedTimes = [];
    this.#queuedChars = 0;
    let first = 0;
    let offset = 0;
    if (keep !== Infinity) [first, offset] = this.#skipTo(queued, keep);
    for (let i = first; i < queued.length; i++) {
      this.#time = times[i];
      this.#split(queued[i], i === first ? offset : 0);
    }
  }

  /** Emits everything, the unfinished last line included (call at end of stream). */
  end(): void {
    const rest = this.#decoder.decode();
    if (rest.length > 0) {
      this.#queued.push(rest);
      this.#queuedTimes.push(this.#queuedTimes.at(-1) ?? this.#time);
    }
    this.settle();
    if (this.#carry.length > 0) this.#emit(this.#carry, 0, this.#carry.length);
    this.#carry = "";
    this.#dropping = false;
  }

  /**
   * Where the last `keep` complete lines of `queued` start. When older
   * lines are skipped, so is the carried start of the first one.
   */
  #skipTo(queued: string[], keep: number): [number, number] {
    let newlines = 0;
    for (let i = queued.length - 1; i >= 0; i--) {
      const text = queued[i];
      let at = text.length;
      while (at > 0) {
        const nl = text.lastIndexOf("\n", at - 1);
        if (nl < 0) break;
        if (++newlines > keep) {
          this.#carry = "";
          this.#dropping = false;
          return [i, nl + 1];
        }
        at = nl;
      }
    }
    return [0, 0];
  }

  #split(text: string, from: number): void {
    let start = from;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) break;
      if (this.#dropping) {
        this.#dropping = false;
      } else if (this.#carry.length > 0) {
        const line = this.#carry + text.slice(start, nl);
        this.#carry = "";
        this.#emit(line, 0, line.length);
      } else {
        this.#emit(text, start, nl);
      }
      start = nl + 1;
    }
    if (start < text.length && !this.#dropping) this.#hold(text.slice(start));
  }

  /** Keeps the start of an unfinished line; at the cap, emits it cut and drops the rest. */
  #hold(piece: string): void {
    const room = this.#maxChars - this.#carry.length;
    if (piece.length <= room) {
      this.#carry += piece;
      return;
    }
    const line = this.#carry + piece.slice(0, room);
    this.#carry = "";
    this.#onLine(detach(line) + TRUNCATED_MARK, this.#time);
    this.#dropping = true;
  }

  #emit(text: string, start: number, end: number): void {
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    if (end - start <= this.#maxChars) {
      this.#onLine(text.slice(start, end), this.#time);
    } else {
      this.#onLine(detach(text.slice(start, start + this.#maxChars)) + TRUNCATED_MARK, this.#time);
    }
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A copy of `text` that does not keep alive the larger string it was sliced
 * from (a cut line must not pin a whole chunk in the ring buffer).
 */
function detach(text: string): string {
  return decoder.decode(encoder.encode(text));
}
