/**
 * The encodings a mail needs to travel as 7-bit text: quoted-printable
 * bodies (RFC 2045 §6.7), base64 wrapped at 76 columns, RFC 2047 encoded
 * words for non-ASCII header text, RFC 2231 parameters for non-ASCII file
 * names, and header folding. Pure functions; every line they make ends in
 * CRLF (or is joined with it) and none is longer than 78 characters unless
 * a single word is.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Longest line of an encoded body (RFC 2045): 76 characters, CRLF not counted. */
export const MAX_LINE = 76;

/** True when `text` is printable US-ASCII (space to `~`) only. */
export function isPrintableAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** `bytes` in base64 (one line). */
export function base64(bytes: Uint8Array): string {
  return bytes.toBase64();
}

/** `bytes` in base64, in lines of 76 characters joined with CRLF (no CRLF at the end). */
export function base64Lines(bytes: Uint8Array): string {
  const text = base64(bytes);
  const lines: string[] = [];
  for (let i = 0; i < text.length; i += MAX_LINE) lines.push(text.slice(i, i + MAX_LINE));
  return lines.join("\r\n");
}

function hex(byte: number): string {
  return "=" + byte.toString(16).toUpperCase().padStart(2, "0");
}

/** One line (no line break in it) in quoted-printable, soft-broken at 76 columns. */
function qpLine(line: string): string[] {
  const bytes = encoder.encode(line);
  const out: string[] = [];
  let current = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const last = i === bytes.length - 1;
    // Space and tab stay literal except at the end of a line, where transports may strip them.
    const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
    let token = literal ? String.fromCharCode(b) : hex(b);
    // A soft break "=" must fit too: keep 75 for text unless this is the line's last token.
    const room = last ? MAX_LINE : MAX_LINE - 1;
    if (current.length + token.length > room) {
      out.push(current + "=");
      current = "";
    }
    // A line starting with "." is special to SMTP and to sendmail without -i: encode it.
    if (current === "" && token === ".") token = "=2E";
    current += token;
  }
  out.push(current);
  return out;
}

/**
 * `text` (any line breaks) as a quoted-printable body of UTF-8 bytes: lines
 * at most 76 characters, joined with CRLF, hard breaks kept as CRLF.
 */
export function quotedPrintable(text: string): string {
  return text.split(/\r\n|\r|\n/).flatMap(qpLine).join("\r\n");
}

/**
 * Decodes quoted-printable (for tests and checks): soft breaks removed,
 * `=XX` turned back into bytes, read as UTF-8.
 */
export function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    if (joined[i] === "=" && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...encoder.encode(joined[i]));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** Splits `text` into pieces of at most `maxBytes` UTF-8 bytes, never inside a character. */
function utf8Chunks(text: string, maxBytes: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let current: number[] = [];
  for (const char of text) {
    const bytes = encoder.encode(char);
    if (current.length + bytes.length > maxBytes && current.length > 0) {
      chunks.push(new Uint8Array(current));
      current = [];
    }
    current.push(...bytes);
  }
  if (current.length > 0) chunks.push(new Uint8Array(current));
  return chunks;
}

/**
 * Header text as RFC 2047 encoded words when it holds anything but
 * printable ASCII: `=?UTF-8?B?...?=` words of at most 64 characters (so
 * that a header line holding one stays within RFC 2047's 76), separated by
 * spaces, which readers drop between encoded words. ASCII text is
 * returned as is.
 */
export function encodedWords(text: string): string {
  if (isPrintableAscii(text)) return text;
  // 39 bytes → 52 base64 characters → 64-character words: "Subject: " and one word fit in 76.
  return utf8Chunks(text, 39).map((chunk) => `=?UTF-8?B?${base64(chunk)}?=`).join(" ");
}

/**
 * `Name: value` folded at spaces so that lines stay within 78 characters
 * where a space allows it; continuation lines start with a space.
 * CR and LF in `value` become spaces (no header injection).
 */
export function foldHeader(name: string, value: string): string {
  const words = value.replace(/[\r\n]+/g, " ").split(" ");
  const lines: string[] = [];
  let current = `${name}:`;
  let wordOnLine = false;
  for (const word of words) {
    if (word !== "" && current.length + 1 + word.length > 78 && wordOnLine) {
      lines.push(current);
      current = "";
    }
    current += " " + word;
    wordOnLine = true;
  }
  lines.push(current);
  return lines.join("\r\n");
}

/** A MIME parameter value as a quoted string (`"` and `\` escaped). */
export function quoteParam(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => "\\" + c)}"`;
}

/** Percent-encodes UTF-8 bytes as RFC 2231 wants (attribute-char kept). */
function percent(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9!#$&+\-.^_`|~]/.test(c)
      ? c
      : "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/**
 * `; name="value"` parameter(s) for a header: quoted when printable ASCII
 * (and short), else RFC 2231 `name*=utf-8''...` split into numbered
 * continuations (`name*0*=`, `name*1*=`) of at most 60 characters, each
 * on its own folded line.
 */
export function mimeParam(name: string, value: string): string {
  const clean = value.replace(/[\r\n]+/g, " ");
  if (isPrintableAscii(clean) && clean.length <= 60) return `;\r\n ${name}=${quoteParam(clean)}`;
  const chunks = utf8Chunks(clean, 20).map(percent);
  const whole = `utf-8''${chunks.join("")}`;
  if (whole.length <= 60) return `;\r\n ${name}*=${whole}`;
  const pieces: string[] = [];
  let current = "utf-8''";
  for (const chunk of chunks) {
    if (current.length + chunk.length > 60 && current !== "utf-8''") {
      pieces.push(current);
      current = "";
    }
    current += chunk;
  }
  pieces.push(current);
  return pieces.map((piece, i) => `;\r\n ${name}*${i}*=${piece}`).join("");
}
