/**
 * The OSC encoding of the app protocol: a decoded OSC message from an app
 * becomes an `AppCommand` (`/heart`, `/log`, `/event`, `/restart`,
 * `/config`, `/register`, `/refresh`, `/unregister`; any other address is a
 * "message"), and replies become OSC messages. Pure: no socket.
 *
 * @module
 */

import type { AppCommand } from "../apps/app_command.ts";
import { parseRegistration } from "../apps/registration.ts";
import type { OscArg, OscMessage } from "./osc_codec.ts";

/** A command, or why the message is not one (with a reason code for counters). */
export type OscCommandResult =
  | { ok: true; command: AppCommand }
  | { ok: false; code: "bad-arguments" | "bad-register"; error: string };

const str = (a: OscArg | undefined): a is string => typeof a === "string";
const num = (a: OscArg | undefined): a is number => typeof a === "number";

const EVENT_ARGS = "<category:s> <action:s> [label:s] [value:n] [job:s]";
const REGISTER_ARGS = "<name:s> <timeoutMs> <action:s> [restartCommand:s] [pid:i]";

/** Reads `msg` as an app command. Never throws. */
export function oscCommand(msg: OscMessage): OscCommandResult {
  const args = msg.args;
  switch (msg.address) {
    case "/heart":
    case "/restart": {
      if (args.length > 1 || (args.length === 1 && !str(args[0]))) return badArgs("[job:s]");
      const job = (args[0] as string | undefined) ?? null;
      return command({ type: msg.address === "/heart" ? "heartbeat" : "restart", job });
    }
    case "/log": {
      if (args.length < 2 || !str(args[0]) || (args[2] !== undefined && !str(args[2]))) {
        return badArgs("<level:s> <message> [job:s]");
      }
      const message = typeof args[1] === "string" ? args[1] : JSON.stringify(plain(args[1]));
      const job = (args[2] as string | undefined) ?? null;
      return command({ type: "log", job, level: args[0], message });
    }
    case "/event": {
      const [category, action, ...rest] = args;
      if (!str(category) || !str(action)) return badArgs(EVENT_ARGS);
      let label: string | null = null;
      let value: number | null = null;
      let job: string | null = null;
      let i = 0;
      if (str(rest[i])) label = rest[i++] as string;
      if (num(rest[i]) || rest[i] === null) value = rest[i++] as number | null;
      if (value !== null && !Number.isFinite(value)) {
        return {
          ok: false,
          code: "bad-arguments",
          error: `value: must be a finite number, got ${value}`,
        };
      }
      if (str(rest[i])) job = rest[i++] as string;
      if (i !== rest.length) return badArgs(EVENT_ARGS);
      return command({ type: "event", job, category, action, label, value });
    }
    case "/config":
      return command({ type: "configRequest" });
    case "/register":
      return register(args);
    case "/refresh":
    case "/unregister": {
      if (args.length !== 1 || !str(args[0])) return badArgs("<id:s>");
      return command({ type: msg.address === "/refresh" ? "refresh" : "unregister", id: args[0] });
    }
    default:
      return command({ type: "message", to: msg.address, args: args.map(plain) });
  }
}

/** `/register <name> <timeout> <action> [restartCommand:s] [pid:i]`. */
function register(args: OscArg[]): OscCommandResult {
  const [name, timeout, action, ...rest] = args;
  let restartCommand: unknown = null;
  let pid: unknown = null;
  if (str(rest[0])) restartCommand = rest.shift();
  if (rest.length > 0) pid = rest.shift();
  if (rest.length > 0) {
    return { ok: false, code: "bad-register", error: `expected ${REGISTER_ARGS}` };
  }
  const parsed = parseRegistration({ name, timeout, action, restartCommand, pid });
  if (!parsed.ok) return { ok: false, code: "bad-register", error: parsed.error };
  return command({ type: "register", registration: parsed.value });
}

function command(command: AppCommand): OscCommandResult {
  return { ok: true, command };
}

function badArgs(expected: string): OscCommandResult {
  return { ok: false, code: "bad-arguments", error: `expected ${expected}` };
}

/** An argument as plain JSON data (blobs as byte arrays, Infinity as a string). */
function plain(arg: OscArg): unknown {
  if (arg instanceof Uint8Array) return Array.from(arg);
  if (Array.isArray(arg)) return arg.map(plain);
  if (arg === Infinity) return "Infinity";
  return arg;
}
