/**
 * Reads a self-registration request (Digi appmonitor's `register`) from
 * untrusted JSON, as sent over HTTP (`POST /api/apps`) or the WebSocket
 * channel (`{"type":"register",...}`). Pure: no I/O.
 *
 * @module
 */

import type { AppRegistration } from "./app_context.ts";
import { parseDuration, showValue } from "../config/units.ts";
import { splitCommand } from "../config/command.ts";

/** A parsed registration, or a sentence naming the bad field. */
export type RegistrationInput = { ok: true; value: AppRegistration } | { ok: false; error: string };

const ACTIONS = ["restart", "kill", "reboot", "none"] as const;
const NAME = /^[A-Za-z0-9_.\-]{1,100}$/;

/**
 * Validates `body` as `{ name, timeout, action, restartCommand?, pid? }`.
 * `timeout` is milliseconds or a duration string ("10s"); `restartCommand`
 * is a string (split like a config `cmd`) or an argv array.
 */
export function parseRegistration(body: unknown, defaultName?: string): RegistrationInput {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, error: `Registration must be a JSON object, got ${showValue(body)}` };
  }
  const input = body as Record<string, unknown>;
  const name = input.name ?? defaultName;
  if (typeof name !== "string" || !NAME.test(name)) {
    return {
      ok: false,
      error: `name: ${showValue(name)} is not an app name (letters, digits, "-", "_", ".")`,
    };
  }
  const timeout = parseDuration(input.timeout);
  if (!timeout.ok) return { ok: false, error: `timeout: ${timeout.error}` };
  if (timeout.value < 1) return { ok: false, error: `timeout: must be at least 1ms, got 0` };
  const action = input.action ?? "restart";
  if (typeof action !== "string" || !(ACTIONS as readonly string[]).includes(action)) {
    return {
      ok: false,
      error: `action: ${showValue(action)} is not an action (expected one of ${
        ACTIONS.join(", ")
      })`,
    };
  }
  const command = parseCommand(input.restartCommand);
  if (!command.ok) return command;
  if (action === "restart" && command.value === null) {
    return { ok: false, error: `restartCommand: required when action is "restart"` };
  }
  const pid = input.pid ?? null;
  if (pid !== null && (typeof pid !== "number" || !Number.isInteger(pid) || pid < 1)) {
    return { ok: false, error: `pid: ${showValue(pid)} is not a process id (whole number >= 1)` };
  }
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
  if (
    Array.isArray(value) && value.length > 0 &&
    value.every((part) => typeof part === "string")
  ) {
    return { ok: true, value: value as string[] };
  }
  return {
    ok: false,
    error: `restartCommand: ${
      showValue(value)
    } is not a command (expected a string or an array of strings)`,
  };
}

/**
 * Checks an `AppRegistration` already in typed form (from a channel or the
 * state file); throws `RangeError` naming the first bad field.
 */
export function checkRegistration(r: AppRegistration): AppRegistration {
  if (typeof r !== "object" || r === null) throw new RangeError("Registration must be an object");
  const { name, timeoutMs, action, restartCommand, pid } = r;
  if (typeof name !== "string" || name.length === 0 || name.length > 100) {
    throw new RangeError(`name: ${JSON.stringify(name)} is not an app name (1-100 characters)`);
  }
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs: must be a number > 0, got ${JSON.stringify(timeoutMs)}`);
  }
  if (typeof action !== "string" || !(ACTIONS as readonly string[]).includes(action)) {
    throw new RangeError(
      `action: ${JSON.stringify(action)} is not an action (expected one of ${ACTIONS.join(", ")})`,
    );
  }
  const command = restartCommand ?? null;
  if (
    command !== null &&
    (!Array.isArray(command) || command.length === 0 ||
      !command.every((part) => typeof part === "string"))
  ) {
    throw new RangeError(`restartCommand: must be a non-empty array of strings`);
  }
  if (action === "restart" && command === null) {
    throw new RangeError(`restartCommand: required when action is "restart"`);
  }
  const p = pid ?? null;
  if (p !== null && (typeof p !== "number" || !Number.isInteger(p) || p < 1)) {
    throw new RangeError(`pid: ${JSON.stringify(p)} is not a process id (whole number >= 1)`);
  }
  if (p === 1) throw new RangeError(`pid: 1 is init; it cannot be watched`);
  if (action === "kill" && p === null) throw new RangeError(`pid: required when action is "kill"`);
  return { name, timeoutMs, action, restartCommand: command, pid: p };
}
