/**
 * SMTP replies (RFC 5321 §4.2): reads them out of the bytes a server
 * sends, a line at a time, joining multiline replies (`250-first`,
 * `250 last`); and reads the extensions an EHLO reply lists. Bounded: a
 * line longer than 64 KiB or a reply of more than 1,000 lines is an error,
 * never unbounded memory.
 *
 * @module
 */

/** One complete reply. */
export interface SmtpReply {
  /** The three-digit code, e.g. 250. */
  code: number;
  /** The text of each line, without the code and separator. */
  lines: string[];
}

/** `250 first / last`: the reply on one line, for errors and logs. */
export function replyText(reply: SmtpReply): string {
  const text = reply.lines.map((line) => line.trim()).filter((line) => line !== "").join(" / ");
  return text === "" ? String(reply.code) : `${reply.code} ${text}`;
}

/** A server that does not speak SMTP (or not well enough to go on). */
export class SmtpProtocolError extends Error {
  override name = "SmtpProtocolError";
}

const MAX_LINE_BYTES = 64 * 1024;
const MAX_LINES = 1_000;

/**
 * Collects bytes from the server and hands out complete replies. Lines may
 * end in CRLF or a bare LF (some servers); the text is read as UTF-8.
 */
export class ReplyParser {
  #buffer = new Uint8Array(0);
  #lines: string[] = [];
  #code: number | null = null;
  #replies: SmtpReply[] = [];
  #decoder = new TextDecoder();

  /** Adds bytes; throws `SmtpProtocolError` on a line that is not a reply line. */
  push(bytes: Uint8Array): void {
    const joined = new Uint8Array(this.#buffer.length + bytes.length);
    joined.set(this.#buffer);
    joined.set(bytes, this.#buffer.length);
    let start = 0;
    for (let nl = joined.indexOf(10, start); nl >= 0; nl = joined.indexOf(10, start)) {
      const end = nl > start && joined[nl - 1] === 13 ? nl - 1 : nl;
      this.#line(this.#decoder.decode(joined.subarray(start, end)));
      start = nl + 1;
    }
    this.#buffer = joined.slice(start);
    if (this.#buffer.length > MAX_LINE_BYTES) {
      throw new SmtpProtocolError(`The server sent a line longer than ${MAX_LINE_BYTES} bytes`);
    }
  }

  #line(line: string): void {
    const match = line.match(/^([2-5]\d\d)([ -]|$)(.*)$/s);
    if (!match) {
      throw new SmtpProtocolError(`The server's reply is not SMTP: "${line.slice(0, 200)}"`);
    }
    const code = Number(match[1]);
    if (this.#code !== null && code !== this.#code) {
      throw new SmtpProtocolError(
        `The server's multiline reply changed its code (${this.#code}, then ${code})`,
      );
    }
    this.#code = code;
    this.#lines.push(match[3]);
    if (this.#lines.length > MAX_LINES) {
      throw new SmtpProtocolError(`The server's reply has more than ${MAX_LINES} lines`);
    }
    if (match[2] !== "-") {
      this.#replies.push({ code, lines: this.#lines });
      this.#code = null;
      this.#lines = [];
    }
  }

  /** The oldest complete reply not handed out yet, or null. */
  next(): SmtpReply | null {
    return this.#replies.shift() ?? null;
  }

  /** True when bytes or replies are waiting (after a reply they must not be, e.g. at STARTTLS). */
  get pending(): boolean {
    return this.#buffer.length > 0 || this.#lines.length > 0 || this.#replies.length > 0;
  }
}

/**
 * The extensions an EHLO reply lists (every line after the first), by
 * keyword in upper case, each with its parameters: `AUTH PLAIN LOGIN` →
 * `AUTH` → `["PLAIN", "LOGIN"]`. `AUTH=LOGIN` (old servers) counts as AUTH.
 */
export function ehloExtensions(reply: SmtpReply): Map<string, string[]> {
  const extensions = new Map<string, string[]>();
  for (const line of reply.lines.slice(1)) {
    const [keyword, ...params] = line.trim().split(/[\s=]+/);
    if (!keyword) continue;
    const key = keyword.toUpperCase();
    const known = extensions.get(key) ?? [];
    extensions.set(key, [...known, ...params.map((p) => p.toUpperCase())]);
  }
  return extensions;
}
