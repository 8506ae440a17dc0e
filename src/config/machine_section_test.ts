import { deepStrictEqual } from "node:assert/strict";
import { formatIssue, IssueList } from "./config_error.ts";
import { DEFAULT_MACHINE } from "./machine_resolved.ts";
import { readMachine } from "./machine_section.ts";

function read(value: unknown) {
  const issues = new IssueList();
  const machine = readMachine(value, issues);
  return { machine, issues: issues.items.map(formatIssue) };
}

Deno.test("machine defaults: systemctl reboot / poweroff, no schedules, a 15 min guard", () => {
  deepStrictEqual(read(undefined), { machine: { ...DEFAULT_MACHINE }, issues: [] });
  deepStrictEqual(read({}).machine, { ...DEFAULT_MACHINE });
  deepStrictEqual(DEFAULT_MACHINE.shutdownCommand, ["systemctl", "poweroff"]);
  deepStrictEqual(DEFAULT_MACHINE.minRebootIntervalMs, 15 * 60_000);
});

Deno.test("machine options resolve; false switches a schedule or restartAfter off", () => {
  deepStrictEqual(
    read({
      rebootCommand: "sudo /sbin/reboot",
      shutdownCommand: ["sudo", "/sbin/poweroff"],
      restartSchedule: "0 4 * * 1",
      shutdownSchedule: "0 22 * * *",
      restartAfter: 5,
      minRebootInterval: "1h",
    }),
    {
      machine: {
        rebootCommand: ["sudo", "/sbin/reboot"],
        shutdownCommand: ["sudo", "/sbin/poweroff"],
        restartSchedule: "0 4 * * 1",
        shutdownSchedule: "0 22 * * *",
        restartAfter: 5,
        minRebootIntervalMs: 3_600_000,
      },
      issues: [],
    },
  );
  const off = read({ restartSchedule: false, shutdownSchedule: false, restartAfter: false });
  deepStrictEqual(off, { machine: { ...DEFAULT_MACHINE }, issues: [] });
  deepStrictEqual(read({ minRebootInterval: 0 }).machine.minRebootIntervalMs, 0);
});

Deno.test("bad machine options are reported with their paths", () => {
  deepStrictEqual(
    read({
      restartSchedule: "every monday",
      shutdownSchedule: 4,
      restartAfter: 0,
      minRebootInterval: "15 minutes",
      shutdownCommand: "",
      restartPcSchedule: "0 4 * * *",
    }).issues,
    [
      'machine.restartPcSchedule: unknown key (did you mean "restartSchedule"?)',
      'machine.shutdownCommand: must not be empty (expected a command, e.g. "node server.js")',
      'machine.restartSchedule: "every monday" is not a cron expression: invalid configuration ' +
      "format ('every monday'), exactly five, six, or seven space separated parts are required " +
      '(expected e.g. "0 4 * * *": minute hour day month weekday)',
      'machine.shutdownSchedule: must be a cron expression (e.g. "0 4 * * *") or false, got 4',
      "machine.restartAfter: must be a whole number 1-1000000, got 0",
      'machine.minRebootInterval: "15 minutes" is not a duration (expected e.g. "15m")',
    ],
  );
});
