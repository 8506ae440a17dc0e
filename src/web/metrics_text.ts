/**
 * The Prometheus text exposition format (version 0.0.4), written by hand
 * straight into bytes: per metric family a `# HELP` and a `# TYPE` line,
 * then one line per sample, `name{label="value",...} number`. Label values
 * escape `\`, `"` and newlines; help text escapes `\` and newlines; values
 * are Go-style floats (`NaN`, `+Inf`, `-Inf`).
 *
 * prom-client 15.1.3 (checked on Deno 2.9.6, where it loads) was the first
 * choice; it took 20-35 ms of sup's one event loop per scrape at 500 jobs
 * (6,500 samples) where this writer takes about a millisecond, and a
 * restart waits for whatever holds the loop.
 *
 * Why bytes and no sample objects: sup runs with a 2 MiB young generation
 * (`--max-semi-space-size=2`), and whatever is still alive when it fills is
 * moved to the old generation, which V8 lets grow to several times its live
 * size before collecting it. A scrape at 500 jobs that built its samples as
 * objects and its text as strings kept ~2 MiB alive across several young
 * collections and grew sup's RSS by 40-60 MiB under a 1 s scrape interval.
 * The writer's only allocations are the body itself and, for numbers that
 * are not whole, their decimal strings; labels and names are copied
 * character by character.
 *
 * @module
 */

/** The content type of the text format. */
export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Metric types sup exports. */
export type MetricType = "gauge" | "counter";

/** A metric family: its name, type and help text. */
export interface Family {
  name: string;
  type: MetricType;
  help: string;
}

const encoder = new TextEncoder();
const NEWLINE = 0x0a, SPACE = 0x20, QUOTE = 0x22, BACKSLASH = 0x5c;
const EQUALS_QUOTE = '="';
/** Whole numbers up to this are written digit by digit (no string made). */
const MAX_DIGITS_INT = 2 ** 53;

/**
 * Writes one exposition, sample by sample, into a byte buffer. A sample is
 * `sample(name)`, then `label(name, value)` for each label, then
 * `value(n)`; a family's `family({ name, type, help })` comes before its samples.
 * The caller keeps a family's samples together and writes each family once.
 */
export class MetricsWriter {
  #buf: Uint8Array<ArrayBuffer>;
  #at = 0;
  #labels = 0;

  /** Starts with room for `sizeHint` bytes (the size of the last exposition is a good guess). */
  constructor(sizeHint = 4096) {
    this.#buf = new Uint8Array(Math.max(256, sizeHint));
  }

  /** The exposition written so far (its own bytes; no copy when it fills the buffer). */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.#at === this.#buf.length ? this.#buf : this.#buf.subarray(0, this.#at);
  }

  /** The exposition as text (tests). */
  text(): string {
    return new TextDecoder().decode(this.bytes());
  }

  /** `# HELP` and `# TYPE` lines of a family. */
  family({ name, type, help }: Family): this {
    this.#ascii("# HELP ");
    this.#ascii(name);
    this.#byte(SPACE);
    this.#escaped(help, false);
    this.#byte(NEWLINE);
    this.#ascii("# TYPE ");
    this.#ascii(name);
    this.#byte(SPACE);
    this.#ascii(type);
    this.#byte(NEWLINE);
    return this;
  }

  /** Starts a sample of `name` (a metric name: ASCII by the format's rules). */
  sample(name: string): this {
    this.#ascii(name);
    this.#labels = 0;
    return this;
  }

  /** One label of the sample being written; the value is escaped. */
  label(name: string, value: string): this {
    this.#byte(this.#labels++ === 0 ? 0x7b : 0x2c); // "{" or ","
    this.#ascii(name);
    this.#ascii(EQUALS_QUOTE);
    this.#escaped(value, true);
    this.#byte(QUOTE);
    return this;
  }

  /** Ends the sample with its value. */
  value(n: number): this {
    if (this.#labels > 0) this.#byte(0x7d); // "}"
    this.#byte(SPACE);
    if (Number.isInteger(n) && Math.abs(n) < MAX_DIGITS_INT) this.#integer(n);
    else this.#ascii(formatValue(n));
    this.#byte(NEWLINE);
    return this;
  }

  #integer(n: number): void {
    if (n < 0) {
      this.#byte(0x2d); // "-"
      n = -n;
    }
    // Exact divisions: no fractional intermediate (a heap number each in unoptimized code).
    let digits = 1;
    for (let rest = n; rest >= 10; rest = (rest - (rest % 10)) / 10) digits++;
    this.#room(digits);
    for (let i = this.#at + digits - 1; i >= this.#at; i--) {
      const digit = n % 10;
      this.#buf[i] = 0x30 + digit;
      n = (n - digit) / 10;
    }
    this.#at += digits;
  }

  /** `text` as is; its characters are ASCII (names, types, formatted numbers). */
  #ascii(text: string): void {
    this.#room(text.length);
    for (let i = 0; i < text.length; i++) this.#buf[this.#at++] = text.charCodeAt(i);
  }

  /** `text` with `\`, newline (and in label values `"`) escaped, as UTF-8. */
  #escaped(text: string, quote: boolean): void {
    this.#room(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) return this.#escapedUtf8(text.slice(i), quote);
      if (c === BACKSLASH || c === NEWLINE || (quote && c === QUOTE)) {
        this.#room(text.length - i + 1);
        this.#buf[this.#at++] = BACKSLASH;
        this.#buf[this.#at++] = c === NEWLINE ? 0x6e : c; // "n"
      } else {
        this.#buf[this.#at++] = c;
      }
    }
  }

  /** The rare non-ASCII rest of a label value or help text. */
  #escapedUtf8(text: string, quote: boolean): void {
    const escaped = quote ? escapeLabel(text) : escapeHelp(text);
    this.#room(escaped.length * 3);
    this.#at += encoder.encodeInto(escaped, this.#buf.subarray(this.#at)).written;
  }

  #byte(b: number): void {
    this.#room(1);
    this.#buf[this.#at++] = b;
  }

  /** Makes room for `n` more bytes, doubling the buffer as needed. */
  #room(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#at + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#at));
    this.#buf = grown;
  }
}

/** A label value with `\`, `"` and newlines escaped. */
export function escapeLabel(value: string): string {
  return /[\\"\n]/.test(value)
    ? value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")
    : value;
}

function escapeHelp(text: string): string {
  return /[\\\n]/.test(text) ? text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n") : text;
}

/** A value as the format writes it. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
