/**
 * The WebSocket wire format (RFC 6455) as sup's server speaks it: an
 * incremental frame reader that enforces the message size limit while
 * reading, and the frames sup sends. Pure: no I/O.
 *
 * Why by hand: `Deno.upgradeWebSocket` (fastwebsockets' fragment collector)
 * keeps every fragment of a message until its last one, with no limit on
 * their sum, so one client sending 500 MB of non-final fragments grew sup by
 * 500 MB. This reader keeps at most `maxMessageBytes` of a message: once a
 * frame header shows the message will be longer, the rest is unmasked into
 * nothing and dropped as it arrives, and the message is reported
 * "oversized" at its last frame. Memory per connection is bounded by the
 * limit plus one read buffer, whatever the client sends.
 *
 * @module
 */

/** What the reader found in the bytes pushed so far. */
export type WireEvent =
  | { kind: "text"; text: string }
  | { kind: "binary"; size: number }
  | { kind: "oversized"; size: number }
  | { kind: "ping"; payload: Uint8Array }
  | { kind: "pong" }
  | { kind: "close"; code: number | null; reason: string }
  | { kind: "violation"; code: 1002 | 1007 | 1009; reason: string };

/** Opcodes. */
export const OP = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

interface Frame {
  fin: boolean;
  opcode: number;
  mask: Uint8Array;
  length: number;
  remaining: number;
  /** Payload bytes kept (control frames, and data frames of a message within the limit). */
  parts: Uint8Array[] | null;
}

interface Message {
  opcode: number;
  size: number;
  /** Null once the message is over the limit: its bytes are dropped. */
  parts: Uint8Array[] | null;
}

/** Parses client frames from a byte stream pushed in chunks of any size. */
export class FrameReader {
  #max: number;
  #head = new Uint8Array(14);
  #headLength = 0;
  #frame: Frame | null = null;
  #message: Message | null = null;
  #failed = false;
  #utf8 = new TextDecoder("utf-8", { fatal: true });

  /** A reader keeping at most `maxMessageBytes` of any one message. */
  constructor(maxMessageBytes: number) {
    this.#max = maxMessageBytes;
  }

  /** Consumes `chunk` (which the caller may reuse afterwards); returns what it completed. */
  push(chunk: Uint8Array): WireEvent[] {
    const events: WireEvent[] = [];
    let at = 0;
    while (at < chunk.length && !this.#failed) {
      if (this.#frame === null) {
        at = this.#readHead(chunk, at, events);
        continue;
      }
      const frame = this.#frame;
      const n = Math.min(frame.remaining, chunk.length - at);
      if (frame.parts !== null) {
        const out = new Uint8Array(n);
        const offset = frame.length - frame.remaining;
        for (let i = 0; i < n; i++) out[i] = chunk[at + i] ^ frame.mask[(offset + i) & 3];
        frame.parts.push(out);
      }
      frame.remaining -= n;
      at += n;
      if (frame.remaining === 0) this.#endFrame(events);
    }
    return events;
  }

  /** Copies header bytes; parses the header once complete. Returns the new offset. */
  #readHead(chunk: Uint8Array, at: number, events: WireEvent[]): number {
    const head = this.#head;
    while (at < chunk.length) {
      head[this.#headLength++] = chunk[at++];
      if (this.#headLength < 2) continue;
      const len7 = head[1] & 0x7f;
      const need = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + ((head[1] & 0x80) ? 4 : 0);
      if (this.#headLength < need) continue;
      this.#headLength = 0;
      this.#startFrame(need, events);
      return at;
    }
    return at;
  }

  #startFrame(headLength: number, events: WireEvent[]): void {
    const head = this.#head;
    const view = new DataView(head.buffer);
    const fin = (head[0] & 0x80) !== 0;
    const opcode = head[0] & 0x0f;
    const len7 = head[1] & 0x7f;
    let length = len7;
    if (len7 === 126) length = view.getUint16(2);
    if (len7 === 127) length = view.getUint32(2) * 2 ** 32 + view.getUint32(6);
    const fail = (code: 1002 | 1009, reason: string) => {
      this.#failed = true;
      events.push({ kind: "violation", code, reason });
    };
    if (head[0] & 0x70) return fail(1002, "Reserved bits set (no extension was agreed)");
    if (!(head[1] & 0x80)) return fail(1002, "Client frames must be masked");
    if (!Number.isSafeInteger(length)) return fail(1009, "Frame length is out of range");
    const control = opcode >= 8;
    if (control) {
      if (opcode > OP.pong) return fail(1002, `Unknown opcode ${opcode}`);
      if (!fin || length > 125) return fail(1002, "Control frames must be whole and <= 125 bytes");
    } else if (opcode === OP.continuation) {
      if (this.#message === null) return fail(1002, "Continuation frame without a message");
    } else if (opcode === OP.text || opcode === OP.binary) {
      if (this.#message !== null) return fail(1002, "New message before the last one ended");
      this.#message = { opcode, size: 0, parts: [] };
    } else {
      return fail(1002, `Unknown opcode ${opcode}`);
    }
    const mask = head.slice(headLength - 4, headLength);
    let parts: Uint8Array[] | null = [];
    if (!control) {
      const message = this.#message!;
      message.size += length;
      if (message.size > this.#max) message.parts = null;
      parts = message.parts;
    }
    this.#frame = { fin, opcode, mask, length, remaining: length, parts };
    if (length === 0) this.#endFrame(events);
  }

  #endFrame(events: WireEvent[]): void {
    const frame = this.#frame!;
    this.#frame = null;
    if (frame.opcode >= 8) {
      const payload = concat(frame.parts!);
      if (frame.opcode === OP.ping) events.push({ kind: "ping", payload });
      else if (frame.opcode === OP.pong) events.push({ kind: "pong" });
      else events.push(closeEvent(payload));
      return;
    }
    if (!frame.fin) return;
    const message = this.#message!;
    this.#message = null;
    if (message.parts === null) {
      events.push({ kind: "oversized", size: message.size });
    } else if (message.opcode === OP.binary) {
      events.push({ kind: "binary", size: message.size });
    } else {
      try {
        events.push({ kind: "text", text: this.#utf8.decode(concat(message.parts)) });
      } catch {
        this.#failed = true;
        events.push({ kind: "violation", code: 1007, reason: "Text message is not UTF-8" });
      }
    }
  }
}

function closeEvent(payload: Uint8Array): WireEvent {
  if (payload.length < 2) return { kind: "close", code: null, reason: "" };
  const code = (payload[0] << 8) | payload[1];
  const reason = new TextDecoder().decode(payload.subarray(2));
  return { kind: "close", code, reason };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** One whole unmasked frame, as a server sends it. */
export function encodeFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const headLength = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = new Uint8Array(headLength + n);
  out[0] = 0x80 | opcode;
  if (n < 126) out[1] = n;
  else if (n < 65536) {
    out[1] = 126;
    new DataView(out.buffer).setUint16(2, n);
  } else {
    out[1] = 127;
    new DataView(out.buffer).setUint32(2, Math.floor(n / 2 ** 32));
    new DataView(out.buffer).setUint32(6, n >>> 0);
  }
  out.set(payload, headLength);
  return out;
}

/** A text frame of `text`. */
export function textFrame(text: string): Uint8Array {
  return encodeFrame(OP.text, new TextEncoder().encode(text));
}

/** A close frame with `code` and `reason` (cut to fit 125 bytes). */
export function closeFrame(code: number, reason: string): Uint8Array {
  const text = new TextEncoder().encode(reason).subarray(0, 123);
  const payload = new Uint8Array(2 + text.length);
  payload[0] = code >> 8;
  payload[1] = code & 0xff;
  payload.set(text, 2);
  return encodeFrame(OP.close, payload);
}

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`. */
export async function acceptKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(key + GUID));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}
