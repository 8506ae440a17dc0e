/**
 * Validates a job's `health` option and resolves it (milliseconds, argv,
 * defaults) in the same pass.
 *
 * @module
 */

import { joinPath } from "./config_error.ts";
import { type AllKeys, describe, type Fields, listChoices } from "./fields.ts";
import type {
  HealthAction,
  HealthConfig,
  HealthExecCheck,
  HealthHttpCheck,
  HealthTcpCheck,
} from "./health_types.ts";
import type { ResolvedHealth, ResolvedHealthCheck } from "./health_resolved.ts";
import { readCommand } from "./job_fields.ts";
import { formatDuration } from "./units.ts";

export type { ResolvedHealth, ResolvedHealthCheck } from "./health_resolved.ts";

const HEALTH_KEYS = [
  "http",
  "tcp",
  "exec",
  "interval",
  "timeout",
  "failures",
  "startPeriod",
  "action",
] as const;
const HTTP_KEYS = ["url", "status", "body", "headers"] as const;
const TCP_KEYS = ["host", "port"] as const;
const EXEC_KEYS = ["cmd"] as const;
const _health: AllKeys<HealthConfig, typeof HEALTH_KEYS[number]> = true;
const _http: AllKeys<HealthHttpCheck, typeof HTTP_KEYS[number]> = true;
const _tcp: AllKeys<HealthTcpCheck, typeof TCP_KEYS[number]> = true;
const _exec: AllKeys<HealthExecCheck, typeof EXEC_KEYS[number]> = true;

const KINDS = ["http", "tcp", "exec"] as const;
const ACTIONS: readonly HealthAction[] = ["restart", "kill", "reboot", "none"];
const EXAMPLE = '{ http: { url: "http://127.0.0.1:8080/healthz" } }';

/** The job's `health` option, or null when it has none. */
export function readHealth(job: Fields): ResolvedHealth | null {
  const h = job.object("health", `an object like ${EXAMPLE}`);
  if (!h) return null;
  h.keys(HEALTH_KEYS);
  const kinds = KINDS.filter((kind) => h.has(kind));
  if (kinds.length !== 1) {
    h.issues.add(
      h.path,
      kinds.length === 0
        ? `needs one check: ${listChoices(KINDS)} (e.g. ${EXAMPLE})`
        : `has ${listChoices(kinds).replace(" or ", " and ")}: give exactly one check`,
    );
  }
  const check = kinds.length === 0 ? null : readCheck(h, kinds[0]);
  const health: ResolvedHealth = {
    check: check ?? { kind: "tcp", host: "127.0.0.1", port: 1 },
    intervalMs: h.duration("interval", 10_000, true),
    timeoutMs: h.duration("timeout", 5_000, true),
    failures: h.whole("failures", 3, 1),
    startPeriodMs: h.duration("startPeriod", 30_000),
    action: h.oneOf("action", ACTIONS, "restart", "a health action"),
  };
  return health;
}

function readCheck(h: Fields, kind: typeof KINDS[number]): ResolvedHealthCheck | null {
  switch (kind) {
    case "http":
      return readHttp(h);
    case "tcp":
      return readTcp(h);
    case "exec": {
      const e = h.object("exec", 'an object like { cmd: ["pg_isready"] }');
      if (!e) return null;
      e.keys(EXEC_KEYS);
      if (!e.has("cmd")) e.fail("cmd", 'missing (expected a command, e.g. ["pg_isready"])');
      const argv = readCommand(e, "cmd", false);
      return argv === null ? null : { kind: "exec", argv };
    }
  }
}

function readHttp(h: Fields): ResolvedHealthCheck | null {
  const f = h.object("http", 'an object like { url: "http://127.0.0.1:8080/healthz" }');
  if (!f) return null;
  f.keys(HTTP_KEYS);
  return {
    kind: "http",
    url: readHttpUrl(f, "url") ?? "",
    status: readStatuses(f, "status"),
    body: f.string("body", null),
    headers: readHeaders(f, "headers"),
  };
}

function readTcp(h: Fields): ResolvedHealthCheck | null {
  const f = h.object("tcp", "an object like { port: 5432 }");
  if (!f) return null;
  f.keys(TCP_KEYS);
  if (!f.has("port")) f.fail("port", "missing (expected a port number 1-65535)");
  return { kind: "tcp", host: f.string("host", "127.0.0.1"), port: f.whole("port", 1, 1, 65535) };
}

/**
 * An absolute `http:` or `https:` URL at `key` (required); null when missing
 * or bad. Shared with httpok.
 */
export function readHttpUrl(f: Fields, key: string): string | null {
  const value = f.obj[key];
  if (value === undefined) {
    f.fail(key, 'missing (expected a URL, e.g. "http://127.0.0.1:8080/healthz")');
    return null;
  }
  const url = typeof value === "string" ? URL.parse(value) : null;
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) {
    f.fail(
      key,
      `must be an http:// or https:// URL, got ${
        describe(value)
      } (e.g. "http://127.0.0.1:8080/healthz")`,
    );
    return null;
  }
  return url.href;
}

/** Status codes at `key`: one code or a list, each 100-599; null when unset. Shared with httpok. */
export function readStatuses(f: Fields, key: string): number[] | null {
  const value = f.obj[key];
  if (value === undefined) return null;
  const list = Array.isArray(value) ? value : [value];
  const good = (code: unknown): code is number =>
    typeof code === "number" && Number.isInteger(code) && code >= 100 && code <= 599;
  if (list.length === 0) {
    f.fail(key, "must name at least one status code (e.g. 200)");
    return null;
  }
  list.forEach((code, i) => {
    if (good(code)) return;
    const path = Array.isArray(value) ? joinPath(f.at(key), i) : f.at(key);
    f.issues.add(path, `must be an HTTP status code 100-599, got ${describe(code)}`);
  });
  return list.every(good) ? [...new Set(list)] : null;
}

/** Request headers at `key`: an object of strings. Shared with httpok. */
export function readHeaders(f: Fields, key: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const h = f.object(key, 'an object of strings like { Authorization: "Bearer x" }');
  if (!h) return headers;
  for (const [name, value] of Object.entries(h.obj)) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      h.fail(name, "is not a valid header name");
    } else if (typeof value !== "string" || /[\r\n\0]/.test(value)) {
      h.fail(name, `must be a string without line breaks, got ${describe(value)}`);
    } else headers[name] = value;
  }
  return headers;
}

/** A health check in one line for people (`sup check`), in the words of the config. */
export function describeHealth(health: ResolvedHealth): string {
  const c = health.check;
  const what = c.kind === "http"
    ? [
      `http GET ${c.url}`,
      c.status ? ` (status ${c.status.join(" or ")})` : "",
      c.body !== null ? ` (body contains ${JSON.stringify(c.body)})` : "",
    ].join("")
    : c.kind === "tcp"
    ? `tcp ${c.host}:${c.port}`
    : `exec ${c.argv.map((w) => /^[\w@%+=:,./-]+$/.test(w) ? w : JSON.stringify(w)).join(" ")}`;
  return `${what}, interval ${formatDuration(health.intervalMs)}, timeout ${
    formatDuration(health.timeoutMs)
  }, failures ${health.failures}, startPeriod ${
    formatDuration(health.startPeriodMs)
  }, action ${health.action}`;
}
