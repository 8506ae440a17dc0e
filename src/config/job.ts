/**
 * Validates one job and resolves it (defaults from `types.ts`, ms, bytes,
 * absolute paths) in the same pass.
 *
 * @module
 */

import { resolve } from "node:path";
import type { Accounts } from "./accounts.ts";
import type { IssueList } from "./config_error.ts";
import { type AllKeys, describe, Fields } from "./fields.ts";
import {
  readCommand,
  readHeartbeat,
  readIds,
  readOutput,
  readSchedule,
  readUlimit,
} from "./job_fields.ts";
import type { ResolvedJob } from "./resolved.ts";
import type { SectionReaders } from "./section_readers.ts";
import type { JobConfig, RestartPolicy, StopSignal } from "./types.ts";

/** Every option a job may have (keys of `JobConfig`). */
export const JOB_KEYS = [
  "cmd",
  "shell",
  "dir",
  "env",
  "clearEnv",
  "user",
  "group",
  "groups",
  "ulimit",
  "stdin",
  "stdout",
  "stderr",
  "restart",
  "noRestartExitCodes",
  "minUptime",
  "backoff",
  "maxRetries",
  "retryFatalAfter",
  "killSignal",
  "killTimeout",
  "once",
  "wait",
  "after",
  "disabled",
  "bounce",
  "depends",
  "maxMemory",
  "heartbeat",
  "health",
  "schedule",
  "sideCommand",
  "postLaunchCommand",
] as const satisfies readonly (keyof JobConfig)[];

const _everyJobKey: AllKeys<JobConfig, typeof JOB_KEYS[number]> = true;

/** Allowed job names: letters, digits, "-", "_" and ".". */
export const JOB_NAME = /^[A-Za-z0-9_.-]+$/;

const RESTART: readonly RestartPolicy[] = ["always", "on-failure", "never"];
const SIGNALS: readonly StopSignal[] = [
  "SIGTERM",
  "SIGINT",
  "SIGQUIT",
  "SIGHUP",
  "SIGKILL",
  "SIGUSR1",
  "SIGUSR2",
];

/** The issue of a job without `cmd`. */
export const MISSING_CMD = 'missing "cmd" (the command to run, e.g. "node server.js")';

/** What reading a job needs. `partial`: a mode section, where `cmd` may be missing. */
export interface JobContext {
  issues: IssueList;
  /** The config file's directory, for relative paths. */
  dir: string;
  accounts: Accounts;
  partial: boolean;
  /** The readers of the optional sections (`health`). */
  readers: Pick<SectionReaders, "readHealth">;
}

/** Validates `value` as the job `name` at `path`; returns it resolved (meaningful only without issues). */
export function readJob(
  name: string,
  value: unknown,
  path: string,
  ctx: JobContext,
): ResolvedJob | null {
  if (!JOB_NAME.test(name)) {
    ctx.issues.add(path, 'bad job name (use letters, digits, "-", "_" and ".")');
  }
  const f = Fields.of(value, path, ctx.issues, 'an object with at least "cmd"');
  if (!f) return null;
  f.keys(JOB_KEYS, "option");
  if (!ctx.partial && !f.has("cmd")) {
    ctx.issues.add(path, MISSING_CMD);
  }
  const shell = f.bool("shell", false);
  const argv = readCommand(f, "cmd", shell) ?? [];
  const dir = resolve(ctx.dir, f.string("dir", "."));
  const once = f.bool("once", false);
  const wait = readWait(f);
  const backoff = f.object("backoff", 'an object like { initial: "1s", max: "60s" }');
  backoff?.keys(["initial", "max"]);
  const backoffInitialMs = backoff?.duration("initial", 1000) ?? 1000;
  const backoffMaxMs = backoff?.duration("max", 60_000) ?? 60_000;
  if (backoff && backoffInitialMs > backoffMaxMs) {
    backoff.fail("initial", "must not be longer than backoff.max");
  }
  return {
    name,
    argv,
    dir,
    env: readEnv(f),
    clearEnv: f.bool("clearEnv", false),
    ...readIds(f, ctx.accounts),
    groups: readGroups(f),
    ulimit: readUlimit(f),
    stdin: nullablePath(f.string("stdin", null), ctx.dir),
    stdout: readOutput(f, "stdout", ctx.dir),
    stderr: readOutput(f, "stderr", ctx.dir),
    restart: f.oneOf("restart", RESTART, "always", "a restart policy"),
    noRestartExitCodes: readExitCodes(f),
    minUptimeMs: f.duration("minUptime", 10_000),
    backoffInitialMs,
    backoffMaxMs,
    maxRetries: f.whole("maxRetries", 10, 0),
    retryFatalAfterMs: f.duration("retryFatalAfter", null, true),
    killSignal: f.oneOf("killSignal", SIGNALS, "SIGTERM", "a stop signal"),
    killTimeoutMs: f.duration("killTimeout", 5000),
    once: once || wait,
    wait,
    after: f.strings("after"),
    disabled: f.bool("disabled", false),
    bounceMs: f.duration("bounce", null, true),
    depends: f.strings("depends").map((p) => resolve(ctx.dir, p)),
    maxMemoryBytes: f.size("maxMemory", null),
    heartbeat: readHeartbeat(f),
    health: ctx.readers.readHealth(f),
    schedule: readSchedule(f),
    sideCommand: readCommand(f, "sideCommand", false),
    postLaunchCommand: readCommand(f, "postLaunchCommand", false),
  };
}

/** `groups`: one name or a list, each a valid name. */
function readGroups(f: Fields): string[] {
  const value = f.obj.groups;
  if (value === undefined) return [];
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.some((g) => typeof g !== "string")) {
    f.fail("groups", `must be a group name or an array of them, got ${describe(value)}`);
    return [];
  }
  list.forEach((group, i) => {
    if (!JOB_NAME.test(group)) {
      f.issues.add(
        `${f.at("groups")}[${i}]`,
        `bad group name ${JSON.stringify(group)} (use letters, digits, "-", "_" and ".")`,
      );
    }
  });
  return [...new Set(list as string[])];
}

/** `wait` is a flag (pmtr's); job names there were meant for `after`, so say so. */
function readWait(f: Fields): boolean {
  const value = f.obj.wait;
  if (typeof value !== "string" && !Array.isArray(value)) return f.bool("wait", false);
  const after = JSON.stringify([value].flat());
  f.fail(
    "wait",
    `must be true or false, got ${
      describe(value)
    } (to start after other jobs, write after: ${after})`,
  );
  return false;
}

function nullablePath(path: string | null, dir: string): string | null {
  return path === null ? null : resolve(dir, path);
}

function readEnv(f: Fields): Record<string, string> {
  const env: Record<string, string> = {};
  const e = f.object("env", "an object of strings");
  if (!e) return env;
  for (const [key, value] of Object.entries(e.obj)) {
    if (typeof value === "string") env[key] = value;
    else if (typeof value === "number" || typeof value === "boolean") {
      e.fail(key, `must be a string, got ${value} (write "${value}")`);
    } else e.fail(key, `must be a string, got ${JSON.stringify(value) ?? String(value)}`);
    if (key === "" || key.includes("=") || key.includes("\0")) {
      e.fail(key, 'is not a valid variable name (no "=" and not empty)');
    }
  }
  return env;
}

function readExitCodes(f: Fields): number[] {
  const value = f.obj.noRestartExitCodes;
  if (value === undefined) return [33];
  if (!Array.isArray(value)) {
    f.fail(
      "noRestartExitCodes",
      `must be an array of exit codes 0-255, got ${JSON.stringify(value)}`,
    );
    return [33];
  }
  const codes: number[] = [];
  value.forEach((code, i) => {
    if (typeof code === "number" && Number.isInteger(code) && code >= 0 && code <= 255) {
      codes.push(code);
    } else {
      f.issues.add(
        `${f.at("noRestartExitCodes")}[${i}]`,
        `must be an exit code 0-255, got ${JSON.stringify(code)}`,
      );
    }
  });
  return codes;
}
