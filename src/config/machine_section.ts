/**
 * Validates and resolves the `machine` section: the reboot and power-off
 * commands, the machine's cron schedules, `restartAfter` and the reboot-loop
 * guard.
 *
 * @module
 */

import type { IssueList } from "./config_error.ts";
import { cronProblem } from "./cron.ts";
import { type AllKeys, describe, Fields } from "./fields.ts";
import { readCommand } from "./job_fields.ts";
import { defaultMachine, type ResolvedMachine } from "./machine_resolved.ts";
import type { MachineConfig } from "./machine_types.ts";

const MACHINE_KEYS = [
  "rebootCommand",
  "shutdownCommand",
  "restartSchedule",
  "shutdownSchedule",
  "restartAfter",
  "minRebootInterval",
] as const;
const _machine: AllKeys<MachineConfig, typeof MACHINE_KEYS[number]> = true;

/** `machine`: how to reboot and power off the machine, and when sup does it by itself. */
export function readMachine(value: unknown, issues: IssueList, path = "machine"): ResolvedMachine {
  const resolved = defaultMachine();
  const f = value === undefined ? null : Fields.of(value, path, issues);
  if (!f) return resolved;
  f.keys(MACHINE_KEYS);
  return {
    rebootCommand: readCommand(f, "rebootCommand", false) ?? resolved.rebootCommand,
    shutdownCommand: readCommand(f, "shutdownCommand", false) ?? resolved.shutdownCommand,
    restartSchedule: readSchedule(f, "restartSchedule"),
    shutdownSchedule: readSchedule(f, "shutdownSchedule"),
    restartAfter: f.obj.restartAfter === false ? null : f.whole("restartAfter", null, 1, 1_000_000),
    minRebootIntervalMs: f.duration("minRebootInterval", resolved.minRebootIntervalMs),
  };
}

/** A cron expression croner accepts, or false / unset for none. */
function readSchedule(f: Fields, key: string): string | null {
  const value = f.obj[key];
  if (value === undefined || value === false) return null;
  if (typeof value !== "string") {
    f.fail(key, `must be a cron expression (e.g. "0 4 * * *") or false, got ${describe(value)}`);
    return null;
  }
  const problem = cronProblem(value);
  if (problem === null) return value;
  f.fail(key, problem);
  return null;
}
