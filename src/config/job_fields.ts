/**
 * Reads the pieces of a job that are more than one field: commands, user and
 * group, ulimits, output targets, heartbeat and schedules.
 *
 * @module
 */

import { resolve } from "node:path";
import type { Accounts } from "./accounts.ts";
import { splitCommand } from "./command.ts";
import { joinPath } from "./config_error.ts";
import { cronProblem } from "./cron.ts";
import { type AllKeys, describe, type Fields } from "./fields.ts";
import {
  DEFAULT_FILE_MODE,
  type ResolvedHeartbeat,
  type ResolvedJob,
  type ResolvedOutput,
  type ResolvedSchedule,
} from "./resolved.ts";
import type {
  HeartbeatAction,
  HeartbeatConfig,
  LimitValue,
  OutputFileConfig,
  ScheduleConfig,
  UlimitConfig,
} from "./types.ts";

/** argv from a `cmd`-like field: a string split like a shell, or an array of strings. */
export function readCommand(f: Fields, key: string, shell: boolean): string[] | null {
  const value = f.obj[key];
  if (value === undefined) return null;
  if (typeof value === "string") {
    if (value.trim() === "") {
      f.fail(key, `must not be empty (expected a command, e.g. "node server.js")`);
      return null;
    }
    if (shell) return ["/bin/sh", "-c", value];
    const split = splitCommand(value);
    if (split.ok) return split.argv;
    f.fail(key, split.error);
    return null;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      f.fail(key, 'must not be an empty array (expected e.g. ["node", "server.js"])');
      return null;
    }
    const bad = value.findIndex((item) => typeof item !== "string");
    if (bad >= 0) {
      f.issues.add(joinPath(f.at(key), bad), `must be a string, got ${describe(value[bad])}`);
      return null;
    }
    if (shell) {
      f.fail("shell", "needs the command as one string, not an array");
      return null;
    }
    return value as string[];
  }
  f.fail(key, `must be a command string or an array of strings, got ${describe(value)}`);
  return null;
}

/** uid and gid from `user` / `group` (names looked up in `accounts`, numbers taken as ids). */
export function readIds(f: Fields, accounts: Accounts): { uid: number | null; gid: number | null } {
  let uid: number | null = null;
  let gid: number | null = null;
  const user = f.obj.user;
  if (user !== undefined) {
    const numeric = typeof user === "number"
      ? user
      : /^\d+$/.test(String(user))
      ? Number(user)
      : NaN;
    if (Number.isInteger(numeric) && numeric >= 0) {
      uid = numeric;
      gid = accounts.userById(numeric)?.gid ?? null;
    } else if (typeof user === "string" && user !== "") {
      const ids = accounts.userByName(user);
      if (ids) ({ uid, gid } = ids);
      else f.fail("user", `unknown user ${JSON.stringify(user)} (not in /etc/passwd)`);
    } else {
      f.fail("user", `must be a user name or a uid, got ${describe(user)}`);
    }
  }
  const group = f.obj.group;
  if (group !== undefined) {
    const numeric = typeof group === "number"
      ? group
      : /^\d+$/.test(String(group))
      ? Number(group)
      : NaN;
    if (Number.isInteger(numeric) && numeric >= 0) gid = numeric;
    else if (typeof group === "string" && group !== "") {
      const id = accounts.groupByName(group);
      if (id !== undefined) gid = id;
      else {f.fail(
          "group",
          `unknown group ${
            JSON.stringify(group)
          } (not in /etc/group; to put the job in a job group, write groups: ${
            JSON.stringify([group])
          })`,
        );}
    } else {
      f.fail("group", `must be a group name or a gid, got ${describe(group)}`);
    }
  }
  return { uid, gid };
}

const ULIMITS = ["nofile", "nproc", "core", "memlock", "stack"] as const;
const HEARTBEAT_KEYS = ["timeout", "startupTimeout", "action"] as const;
const SCHEDULE_KEYS = ["start", "stop", "restart"] as const;
const OUTPUT_KEYS = ["file", "maxSize", "maxFiles", "daily"] as const;
const _ulimit: AllKeys<UlimitConfig, typeof ULIMITS[number]> = true;
const _heartbeat: AllKeys<HeartbeatConfig, typeof HEARTBEAT_KEYS[number]> = true;
const _schedule: AllKeys<ScheduleConfig, typeof SCHEDULE_KEYS[number]> = true;
const _output: AllKeys<OutputFileConfig, typeof OUTPUT_KEYS[number]> = true;

/** The `ulimit` table: whole numbers >= 0 or "infinity"; unset limits are null. */
export function readUlimit(f: Fields): ResolvedJob["ulimit"] {
  const out: ResolvedJob["ulimit"] = {
    nofile: null,
    nproc: null,
    core: null,
    memlock: null,
    stack: null,
  };
  const u = f.object("ulimit", "an object like { nofile: 4096 }");
  if (!u) return out;
  u.keys(ULIMITS, "limit");
  for (const key of ULIMITS) {
    const value = u.obj[key];
    if (value === undefined) continue;
    if (
      value === "infinity" || (typeof value === "number" && Number.isInteger(value) && value >= 0)
    ) {
      out[key] = value as LimitValue;
    } else {
      u.fail(key, `must be a whole number >= 0 or "infinity", got ${describe(value)}`);
    }
  }
  return out;
}

/** Where `stdout` / `stderr` go: the log (unset), nowhere (false) or a rotated file. */
export function readOutput(f: Fields, key: string, dir: string): ResolvedOutput {
  const value = f.obj[key];
  if (value === undefined) return { kind: "log" };
  if (value === false) return { kind: "discard" };
  if (typeof value === "string" && value.trim() !== "") {
    return {
      kind: "file",
      path: resolve(dir, value),
      maxBytes: 10 * 1024 ** 2,
      maxFiles: 5,
      daily: true,
      mode: DEFAULT_FILE_MODE,
    };
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const o = f.object(key)!;
    o.keys(OUTPUT_KEYS);
    const file = o.string("file", null);
    if (file === null && !o.has("file")) {
      o.fail("file", 'missing (expected a path, e.g. "logs/web.log")');
    }
    return {
      kind: "file",
      path: resolve(dir, file ?? ""),
      maxBytes: o.size("maxSize", 10 * 1024 ** 2),
      maxFiles: o.whole("maxFiles", 5, 1),
      daily: o.bool("daily", true),
      mode: DEFAULT_FILE_MODE,
    };
  }
  f.fail(
    key,
    `must be a file path, false, or { file, maxSize, maxFiles, daily }, got ${describe(value)}`,
  );
  return { kind: "log" };
}

const HEARTBEAT_ACTIONS: readonly HeartbeatAction[] = ["restart", "kill", "reboot", "none"];

/** The heartbeat watchdog, or null when the job has none. */
export function readHeartbeat(f: Fields): ResolvedHeartbeat | null {
  const h = f.object("heartbeat", 'an object like { timeout: "10s" }');
  if (!h) return null;
  h.keys(HEARTBEAT_KEYS);
  return {
    timeoutMs: h.duration("timeout", 10_000, true),
    startupTimeoutMs: h.duration("startupTimeout", 60_000, true),
    action: h.oneOf("action", HEARTBEAT_ACTIONS, "restart", "a heartbeat action"),
  };
}

/** Cron schedules, each checked with croner. */
export function readSchedule(f: Fields): ResolvedSchedule {
  const out: ResolvedSchedule = { start: null, stop: null, restart: null };
  const s = f.object("schedule", 'an object like { restart: "0 4 * * *" }');
  if (!s) return out;
  s.keys(SCHEDULE_KEYS);
  for (const key of SCHEDULE_KEYS) {
    const expr = s.string(key, null);
    if (expr === null) continue;
    const problem = cronProblem(expr);
    if (problem) s.fail(key, problem);
    else out[key] = expr;
  }
  return out;
}
