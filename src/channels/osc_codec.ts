/**
 * A strict OSC 1.0 decoder: messages and (nested) bundles (encoding: `osc_encode.ts`).
 *
 * Why not an npm codec: we looked at osc-min 2.1.2 (TypeScript, ESM, runs on
 * Deno), osc-js 2.4 and osc 2.4 / node-osc 11. osc-min fits best, but (1) it
 * silently drops a malformed element inside a bundle, while sup must count
 * every malformed datagram; (2) its errors are free text, while sup counts
 * rejections by reason; (3) it allocates a TextDecoder and several DataViews
 * per argument (measured here: 230k decodes/s of a `/heart ,s job` message
 * on one core, before any socket work, against a 100k/s budget for the whole
 * path). The other packages are larger (plugins, transports, serial ports)
 * for the same decoding. OSC 1.0's wire format is small and fixed, so this
 * file decodes it strictly in one pass over one DataView, with a reason code
 * for every refusal and a bound on bundle nesting.
 *
 * Types: i f s b (1.0 required), h d t S c r m T F N I and [ ] arrays.
 *
 * @module
 */

/** An OSC argument as JavaScript: numbers (i f d h c r), strings (s S), blobs and
 * MIDI (Uint8Array), timetags ({seconds, fraction}), T/F, N (null), I (Infinity), arrays. */
export type OscArg =
  | number
  | string
  | boolean
  | null
  | Uint8Array
  | OscTimetag
  | OscArg[];

/** An NTP timetag: seconds since 1900 and a 32-bit fraction. */
export interface OscTimetag {
  seconds: number;
  fraction: number;
}

/** One OSC message. */
export interface OscMessage {
  kind: "message";
  address: string;
  args: OscArg[];
}

/** An OSC bundle: a timetag and messages or bundles. */
export interface OscBundle {
  kind: "bundle";
  timetag: OscTimetag;
  elements: OscPacket[];
}

/** A decoded datagram. */
export type OscPacket = OscMessage | OscBundle;

/** Why a datagram is not OSC; stable codes, counted by the channel. */
export type OscErrorCode =
  | "empty"
  | "not-osc"
  | "misaligned"
  | "truncated"
  | "bad-padding"
  | "bad-string"
  | "bad-type-tag"
  | "bad-bundle"
  | "too-deep";

/** Thrown by `decodeOsc` with a reason `code`. */
export class OscDecodeError extends Error {
  override name = "OscDecodeError";
  /** @param code the reason, for counters */
  constructor(readonly code: OscErrorCode, message: string) {
    super(message);
  }
}

/** Deepest bundle nesting accepted. */
export const MAX_BUNDLE_DEPTH = 8;
/** Deepest array nesting (`[[...]]`) accepted in a message's arguments. */
export const MAX_ARRAY_DEPTH = 16;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Why `bytes` cannot be OSC at a glance (empty, wrong first byte, size not
 * a multiple of 4), or null. Throws nothing: a flood of such garbage is
 * refused without the cost of an exception.
 */
export function quickOscRefusal(bytes: Uint8Array): OscErrorCode | null {
  if (bytes.length === 0) return "empty";
  if (bytes[0] !== 0x2f /* / */ && bytes[0] !== 0x23 /* # */) return "not-osc";
  if (bytes.length % 4 !== 0) return "misaligned";
  return null;
}

const QUICK_MESSAGES = {
  "empty": "Empty datagram",
  "not-osc": 'Not OSC: does not start with "/" or "#bundle"',
  "misaligned": "Size is not a multiple of 4",
} as Record<OscErrorCode, string>;

/** The sentence for a `quickOscRefusal` code. */
export function quickOscMessage(code: OscErrorCode): string {
  return QUICK_MESSAGES[code] ?? code;
}

/** Decodes one datagram; throws `OscDecodeError`. */
export function decodeOsc(bytes: Uint8Array): OscPacket {
  const quick = quickOscRefusal(bytes);
  if (quick !== null) throw new OscDecodeError(quick, quickOscMessage(quick));
  return new Reader(bytes).packet(0, bytes.length, 0);
}

class Reader {
  #view: DataView;
  pos = 0;
  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  packet(start: number, end: number, depth: number): OscPacket {
    this.pos = start;
    if (this.bytes[start] === 0x23) return this.#bundle(end, depth);
    const address = this.string(end);
    if (!address.startsWith("/")) {
      throw new OscDecodeError(
        "not-osc",
        `Address ${JSON.stringify(address)} does not start with "/"`,
      );
    }
    if (this.pos === end) return { kind: "message", address, args: [] };
    if (this.bytes[this.pos] !== 0x2c /* , */) {
      throw new OscDecodeError("bad-type-tag", 'Type tag string does not start with ","');
    }
    const tags = this.string(end);
    const stack: OscArg[][] = [[]];
    for (let i = 1; i < tags.length; i++) {
      const tag = tags[i];
      if (tag === "[") {
        if (stack.length > MAX_ARRAY_DEPTH) {
          throw new OscDecodeError("too-deep", `Arrays nested deeper than ${MAX_ARRAY_DEPTH}`);
        }
        stack.push([]);
      } else if (tag === "]") {
        if (stack.length < 2) throw new OscDecodeError("bad-type-tag", 'Unbalanced "]"');
        const array = stack.pop()!;
        stack[stack.length - 1].push(array);
      } else stack[stack.length - 1].push(this.#arg(tag, end));
    }
    if (stack.length !== 1) throw new OscDecodeError("bad-type-tag", 'Unbalanced "["');
    if (this.pos !== end) {
      throw new OscDecodeError("bad-type-tag", `${end - this.pos} bytes left after the arguments`);
    }
    return { kind: "message", address, args: stack[0] };
  }

  #bundle(end: number, depth: number): OscBundle {
    if (depth >= MAX_BUNDLE_DEPTH) {
      throw new OscDecodeError("too-deep", `Bundles nested deeper than ${MAX_BUNDLE_DEPTH}`);
    }
    if (this.string(end) !== "#bundle") throw new OscDecodeError("not-osc", 'Not "#bundle"');
    const timetag = this.#timetag(end);
    const elements: OscPacket[] = [];
    while (this.pos < end) {
      const size = this.#int(end);
      if (size <= 0 || size % 4 !== 0 || this.pos + size > end) {
        throw new OscDecodeError("bad-bundle", `Bundle element size ${size} is not valid here`);
      }
      const next = this.pos + size;
      elements.push(this.packet(this.pos, next, depth + 1));
      this.pos = next;
    }
    return { kind: "bundle", timetag, elements };
  }

  #need(n: number, end: number): void {
    if (this.pos + n > end) {
      throw new OscDecodeError("truncated", "Datagram ends inside an argument");
    }
  }

  #int(end: number): number {
    this.#need(4, end);
    const v = this.#view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  #timetag(end: number): OscTimetag {
    this.#need(8, end);
    const seconds = this.#view.getUint32(this.pos);
    const fraction = this.#view.getUint32(this.pos + 4);
    this.pos += 8;
    return { seconds, fraction };
  }

  /** An OSC string: bytes, a NUL, NUL padding to 4 bytes. */
  string(end: number): string {
    const start = this.pos;
    const nul = this.bytes.indexOf(0, start);
    if (nul < 0 || nul >= end) {
      throw new OscDecodeError("truncated", "String without a terminating NUL");
    }
    const padded = (nul + 4) & ~3;
    if (padded > end) throw new OscDecodeError("truncated", "String padding runs past the end");
    for (let i = nul + 1; i < padded; i++) {
      if (this.bytes[i] !== 0) throw new OscDecodeError("bad-padding", "String padding is not NUL");
    }
    this.pos = padded;
    try {
      return utf8.decode(this.bytes.subarray(start, nul));
    } catch {
      throw new OscDecodeError("bad-string", "String is not valid UTF-8");
    }
  }

  #arg(tag: string, end: number): OscArg {
    const view = this.#view;
    switch (tag) {
      case "i":
        return this.#int(end);
      case "f": {
        this.#need(4, end);
        const v = view.getFloat32(this.pos);
        this.pos += 4;
        return v;
      }
      case "s":
      case "S":
        return this.string(end);
      case "b": {
        const size = this.#int(end);
        if (size < 0) throw new OscDecodeError("truncated", `Blob size ${size} is negative`);
        const padded = (size + 3) & ~3;
        this.#need(padded, end);
        const blob = this.bytes.slice(this.pos, this.pos + size);
        this.pos += padded;
        return blob;
      }
      case "h": {
        this.#need(8, end);
        const v = Number(view.getBigInt64(this.pos));
        this.pos += 8;
        return v;
      }
      case "d": {
        this.#need(8, end);
        const v = view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      case "t":
        return this.#timetag(end);
      case "c":
      case "r":
        this.#need(4, end);
        this.pos += 4;
        return tag === "c"
          ? String.fromCodePoint(view.getUint32(this.pos - 4) & 0x10ffff)
          : view.getUint32(this.pos - 4);
      case "m":
        this.#need(4, end);
        this.pos += 4;
        return this.bytes.slice(this.pos - 4, this.pos);
      case "T":
        return true;
      case "F":
        return false;
      case "N":
        return null;
      case "I":
        return Infinity;
      default:
        throw new OscDecodeError("bad-type-tag", `Unknown type tag ${JSON.stringify(tag)}`);
    }
  }
}
