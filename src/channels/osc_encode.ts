/**
 * OSC 1.0 encoding of the few messages sup sends (`/registered`, `/config`,
 * `/error`) and that tests and benches send. Why hand-written: `osc_codec.ts`.
 *
 * @module
 */

import type { OscTimetag } from "./osc_codec.ts";

const encoder = new TextEncoder();

/** An argument to encode: integers go out as `i` unless `float` is set, other numbers as `f`. */
export type OscOutArg = string | number | boolean | null | Uint8Array | { float: number } | {
  double: number;
};

/** Encodes one message. Throws `RangeError` on a string containing NUL. */
export function encodeOscMessage(address: string, args: readonly OscOutArg[] = []): Uint8Array {
  const parts: Uint8Array[] = [oscString(address)];
  let tags = ",";
  const data: Uint8Array[] = [];
  for (const arg of args) {
    if (typeof arg === "string") {
      tags += "s";
      data.push(oscString(arg));
    } else if (typeof arg === "number") {
      const isInt = Number.isInteger(arg) && arg >= -0x80000000 && arg <= 0x7fffffff;
      tags += isInt ? "i" : "f";
      data.push(word(4, (v) => isInt ? v.setInt32(0, arg) : v.setFloat32(0, arg)));
    } else if (typeof arg === "boolean") tags += arg ? "T" : "F";
    else if (arg === null) tags += "N";
    else if (arg instanceof Uint8Array) {
      tags += "b";
      const padded = new Uint8Array(4 + ((arg.length + 3) & ~3));
      new DataView(padded.buffer).setInt32(0, arg.length);
      padded.set(arg, 4);
      data.push(padded);
    } else if ("float" in arg) {
      tags += "f";
      data.push(word(4, (v) => v.setFloat32(0, arg.float)));
    } else {
      tags += "d";
      data.push(word(8, (v) => v.setFloat64(0, arg.double)));
    }
  }
  parts.push(oscString(tags), ...data);
  return concat(parts);
}

/** Encodes a bundle of already encoded packets. */
export function encodeOscBundle(
  elements: readonly Uint8Array[],
  timetag: OscTimetag = IMMEDIATELY,
): Uint8Array {
  const parts: Uint8Array[] = [oscString("#bundle")];
  parts.push(word(8, (v) => {
    v.setUint32(0, timetag.seconds);
    v.setUint32(4, timetag.fraction);
  }));
  for (const element of elements) {
    parts.push(word(4, (v) => v.setInt32(0, element.length)), element);
  }
  return concat(parts);
}

/** The timetag meaning "now". */
export const IMMEDIATELY: OscTimetag = { seconds: 0, fraction: 1 };

function oscString(text: string): Uint8Array {
  if (text.includes("\0")) throw new RangeError(`OSC string ${JSON.stringify(text)} contains NUL`);
  const raw = encoder.encode(text);
  const out = new Uint8Array((raw.length + 4) & ~3);
  out.set(raw);
  return out;
}

function word(size: number, fill: (view: DataView) => void): Uint8Array {
  const out = new Uint8Array(size);
  fill(new DataView(out.buffer));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
