/**
 * Self-registration (Digi appmonitor's `register`): what an app sup did not
 * start asks for, and the one parser and rule set for it. Every channel
 * (HTTP `POST /api/apps`, WebSocket `{"type":"register",...}`, OSC
 * `/register`) reads untrusted input with `parseRegistration`; the registry
 * checks typed registrations (from a caller or the state file) with the same
 * rules through `checkRegistration`. Pure: no I/O.
 *
 * @module
 */

import type { HeartbeatAction } from "../config/types.ts";
import { parseDuration, showValue } from "../config/units.ts";
import { splitCommand } from "../config/command.ts";
import { clip } from "./line_limiter.ts";

/** A registration request from an app sup did not start. */
export interface AppRegistration {
  /** A name for status and events, e.g. "kiosk-browser". */
  name: string;
  /** Longest gap between refreshes, in milliseconds. */
  timeoutMs: number;
  /** What to do when a refresh is missed. */
  action: Exclude<HeartbeatAction, "none"> | "none";
  /** For action "restart": the command that starts the app again. */
  restartCommand: string[] | null;
  /** For action "kill": the process whose group is killed. */
  pid: number | null;
}

/** A parsed registration, or a sentence naming the bad field. */
export type RegistrationInput = { ok: true; value: AppRegistration } | { ok: false; error: string };

/** Longest registration timeout: one day. A longer one is refused, naming this bound. */
export const MAX_REGISTRATION_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** The actions a registration may name. */
export const REGISTRATION_ACTIONS = ["restart", "kill", "reboot", "none"] as const;
const NAME = /^[A-Za-z0-9_.\-]{1,100}$/;

/**
 * Validates `input` as `{ name, timeout, action, restartCommand?, pid? }`:
 * the one rule set for registrations.
 * - `name`: 1-100 letters, digits, "-", "_", "." (`defaultName` when absent);
 * - `timeout`: milliseconds (1 to `MAX_REGISTRATION_TIMEOUT_MS`, one day) or a
 *   duration string ("10s");
 * - `action`: restart, kill, reboot or none (default restart);
 * - `restartCommand`: a string (split like a config `cmd`) or an argv array;
 *   required for action "restart";
 * - `pid`: a whole number >= 2 (init cannot be watched); required for "kill".
 */
export function parseRegistration(input: unknown, defaultName?: string): RegistrationInput {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, error: `Registration must be a JSON object, got ${showValue(input)}` };
  }
  const fields = input as Record<string, unknown>;
  const name = fields.name ?? defaultName;
  if (typeof name !== "string" || !NAME.test(name)) {
    return {
      ok: false,
      error: `name: ${
        clip(showValue(name), 120)
      } is not an app name (1 to 100 letters, digits, "-", "_", ".")`,
    };
  }
  const timeout = parseDuration(fields.timeout);
  if (!timeout.ok) return { ok: false, error: `timeout: ${timeout.error}` };
  if (timeout.value < 1) {
    return { ok: false, error: `timeout: must be at least 1ms, got ${timeout.value}` };
  }
  if (timeout.value > MAX_REGISTRATION_TIMEOUT_MS) {
    return {
      ok: false,
      error: `timeout: must be at most 1d (${MAX_REGISTRATION_TIMEOUT_MS}ms), got ${
        showValue(fields.timeout)
      }`,
    };
  }
  const action = fields.action ?? "restart";
  if (typeof action !== "string" || !(REGISTRATION_ACTIONS as readonly string[]).includes(action)) {
    return {
      ok: false,
      error: `action: ${showValue(action)} is not an action (expected one of ${
        REGISTRATION_ACTIONS.join(", ")
      })`,
    };
  }
  const command = parseCommand(fields.restartCommand);
  if (!command.ok) return command;
  if (action === "restart" && command.value === null) {
    return { ok: false, error: `restartCommand: required when action is "restart"` };
  }
  const pid = fields.pid ?? null;
  if (pid !== null && (typeof pid !== "number" || !Number.isInteger(pid) || pid < 1)) {
    return { ok: false, error: `pid: ${showValue(pid)} is not a process id (whole number >= 1)` };
  }
  if (pid === 1) return { ok: false, error: `pid: 1 is init; it cannot be watched` };
  if (action === "kill" && pid === null) {
    return { ok: false, error: `pid: required when action is "kill"` };
  }
  return {
    ok: true,
    value: {
      name,
      timeoutMs: timeout.value,
      action: action as AppRegistration["action"],
      restartCommand: command.value,
      pid,
    },
  };
}

/**
 * Checks a registration already in typed form (from a caller of the registry
 * or the state file) with the rules of `parseRegistration`; throws
 * `RangeError` naming the first bad field.
 */
export function checkRegistration(registration: AppRegistration): AppRegistration {
  if (typeof registration !== "object" || registration === null) {
    throw new RangeError(`Registration must be an object, got ${showValue(registration)}`);
  }
  const { name, timeoutMs, action, restartCommand, pid } = registration;
  const parsed = parseRegistration({ name, timeout: timeoutMs, action, restartCommand, pid });
  if (!parsed.ok) throw new RangeError(parsed.error);
  return parsed.value;
}

function parseCommand(
  value: unknown,
): { ok: true; value: string[] | null } | { ok: false; error: string } {
  if (value === undefined || value === null) return { ok: true, value: null };
  if (typeof value === "string") {
    const split = splitCommand(value);
    if (!split.ok) return { ok: false, error: `restartCommand: ${split.error}` };
    if (split.argv.length === 0) return { ok: false, error: `restartCommand: must not be empty` };
    return { ok: true, value: split.argv };
  }
  if (Array.isArray(value) && value.every((part) => typeof part === "string")) {
    if (value.length === 0) return { ok: false, error: `restartCommand: must not be empty` };
    return { ok: true, value: [...value] };
  }
  return {
    ok: false,
    error: `restartCommand: ${
      showValue(value)
    } is not a command (expected a string or an array of strings)`,
  };
}
