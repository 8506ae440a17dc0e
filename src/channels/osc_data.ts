/**
 * What a listener's `ctx.send(job, data)` becomes on OSC: an OSC message
 * when `data` says which (`{ address: "/x", args: [...] }`, what ampm's
 * apps listen for), else `/message` with `data` as JSON text. Pure.
 *
 * @module
 */

import type { OscOutArg } from "./osc_encode.ts";

/** An OSC message to encode. */
export interface OscDataMessage {
  address: string;
  args: OscOutArg[];
}

/** The OSC message for `data`. Throws `TypeError` on an argument OSC cannot carry. */
export function oscDataMessage(data: unknown): OscDataMessage {
  if (typeof data === "object" && data !== null && "address" in data) {
    const { address, args = [] } = data as { address: unknown; args?: unknown };
    if (typeof address !== "string" || !address.startsWith("/")) {
      throw new TypeError(
        `OSC address must be a string starting with "/", got ${JSON.stringify(address)}`,
      );
    }
    if (!Array.isArray(args)) {
      throw new TypeError(`OSC args must be an array, got ${JSON.stringify(args)}`);
    }
    return { address, args: args.map(oscArg) };
  }
  const text = JSON.stringify(data);
  if (text === undefined) throw new TypeError(`Cannot send ${String(data)} to an app`);
  return { address: "/message", args: [text] };
}

function oscArg(arg: unknown, i: number): OscOutArg {
  if (
    typeof arg === "string" || typeof arg === "number" || typeof arg === "boolean" ||
    arg === null || arg instanceof Uint8Array
  ) return arg;
  throw new TypeError(
    `OSC argument ${i} must be a string, number, boolean, null or Uint8Array, got ${
      JSON.stringify(arg) ?? typeof arg
    }`,
  );
}
