/**
 * Validates and resolves the `network`, `logging` and `apps` sections (`machine`:
 * `machine_section.ts`).
 *
 * @module
 */

import { resolve } from "node:path";
import { type IssueList, joinPath } from "./config_error.ts";
import { type AllKeys, describe, Fields, listChoices } from "./fields.ts";
import { didYouMean } from "./suggest.ts";
import {
  DEFAULT_APPS,
  DEFAULT_FILE_MODE,
  DEFAULT_LOGGING,
  type ResolvedApps,
  type ResolvedHttp,
  type ResolvedListen,
  type ResolvedLogging,
  type ResolvedNetwork,
  type ResolvedWebSocket,
} from "./resolved.ts";
import type { SectionReaders } from "./section_readers.ts";
import type {
  AppAction,
  AppsConfig,
  HttpConfig,
  LoggingConfig,
  LogLevel,
  NetworkConfig,
  OscConfig,
  WebSocketConfig,
} from "./types.ts";

const NETWORK_KEYS = [
  "host",
  "http",
  "websocket",
  "osc",
  "report",
  "control",
  // Read by control_section.ts
  "name",
  "socket",
] as const;
const OSC_KEYS = ["port", "host", "appPort", "appHost"] as const;
const LOGGING_KEYS = [
  "level",
  "format",
  "file",
  "maxSize",
  "maxFiles",
  "fileMode",
  "events",
  "mail",
  "screenshots",
] as const;
const _network: AllKeys<NetworkConfig, typeof NETWORK_KEYS[number]> = true;
const HTTP_KEYS = ["port", "host", "hosts", "metrics"] as const;
const WEBSOCKET_KEYS = [
  "port",
  "host",
  "hosts",
  "origins",
  "maxMessageSize",
  "maxQueuedBytes",
  "maxConnections",
] as const;
const _http: AllKeys<HttpConfig, typeof HTTP_KEYS[number]> = true;
const _websocket: AllKeys<WebSocketConfig, typeof WEBSOCKET_KEYS[number]> = true;
const _osc: AllKeys<OscConfig, typeof OSC_KEYS[number]> = true;
const _logging: AllKeys<LoggingConfig, typeof LOGGING_KEYS[number]> = true;
const APPS_KEYS = [
  "enabled",
  "allow",
  "allowJobs",
  "maxPerUser",
  "expireAfterMisses",
] as const;
const _apps: AllKeys<AppsConfig, typeof APPS_KEYS[number]> = true;

function readListen(
  parent: Fields,
  key: string,
  host: string,
  port: number,
  extra: string[] = [],
): ResolvedListen & { f: Fields | null } {
  const f = parent.object(key);
  f?.keys(["port", "host", ...extra]);
  return {
    host: f?.string("host", host) ?? host,
    port: f ? readPort(f, "port", port) : port,
    f,
  };
}

function readPort(f: Fields, key: string, fallback: number): number {
  const value = f.obj[key];
  if (value === undefined) return fallback;
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535) {
    return value;
  }
  f.fail(key, `must be a port number 1-65535, got ${JSON.stringify(value)}`);
  return fallback;
}

/** `network`: where sup listens; every address defaults to `network.host` (127.0.0.1). */
export function readNetwork(
  value: unknown,
  issues: IssueList,
  path: string,
  readers: Pick<SectionReaders, "readPmtrNetwork" | "readMetricsAccess">,
): Omit<ResolvedNetwork, "name" | "socket"> { // name, socket: control_section.ts (issue 10)
  const f = value === undefined ? null : Fields.of(value, path, issues);
  f?.keys(NETWORK_KEYS);
  const host = f?.string("host", "127.0.0.1") ?? "127.0.0.1";
  if (!f) {
    return {
      http: readHttpSecurity(null, { host, port: 8888 }, readers),
      websocket: readWebSocketSecurity(null, { host, port: 3001 }),
      osc: { host, port: 3002, appHost: "127.0.0.1", appPort: 3003 },
      ...readers.readPmtrNetwork(null),
    };
  }
  const http = readListen(f, "http", host, 8888, HTTP_KEYS.slice(2));
  const websocket = readListen(f, "websocket", host, 3001, WEBSOCKET_KEYS.slice(2));
  const osc = readListen(f, "osc", host, 3002, ["appPort", "appHost"]);
  return {
    http: readHttpSecurity(http.f, { host: http.host, port: http.port }, readers),
    websocket: readWebSocketSecurity(websocket.f, { host: websocket.host, port: websocket.port }),
    osc: {
      host: osc.host,
      port: osc.port,
      appHost: osc.f?.string("appHost", "127.0.0.1") ?? "127.0.0.1",
      appPort: osc.f ? readPort(osc.f, "appPort", 3003) : 3003,
    },
    ...readers.readPmtrNetwork(f),
  };
}

// network.http / network.websocket security ---------------------

/** `network.http.hosts`. */
function readHttpSecurity(
  f: Fields | null,
  at: ResolvedListen,
  readers: Pick<SectionReaders, "readMetricsAccess">,
): ResolvedHttp {
  return { ...at, hosts: f ? readHostNames(f) : [], metrics: readers.readMetricsAccess(f) };
}

/** `network.websocket`: host names, origins and bounds. */
function readWebSocketSecurity(f: Fields | null, at: ResolvedListen): ResolvedWebSocket {
  const defaults = {
    ...at,
    hosts: [],
    origins: [],
    maxMessageBytes: 64 * 1024,
    maxQueuedBytes: 1024 * 1024,
    maxConnections: 256,
  };
  if (!f) return defaults;
  const origins = f.strings("origins").filter((origin, i) => {
    if (origin === "null" || origin === "*" || isOrigin(origin)) return true;
    f.issues.add(
      joinPath(f.at("origins"), i),
      `"${origin}" is not an origin (expected e.g. "http://127.0.0.1:8080", "null" or "*")`,
    );
    return false;
  });
  const positive = (key: string, fallback: number) => {
    const bytes = f.size(key, fallback);
    if (bytes >= 1) return bytes;
    f.fail(key, "must be at least 1 byte");
    return fallback;
  };
  return {
    ...at,
    hosts: readHostNames(f),
    origins,
    maxMessageBytes: positive("maxMessageSize", defaults.maxMessageBytes),
    maxQueuedBytes: positive("maxQueuedBytes", defaults.maxQueuedBytes),
    maxConnections: f.whole("maxConnections", defaults.maxConnections, 1, 65535),
  };
}

/** `hosts`: names (or name:port), no scheme or path. */
function readHostNames(f: Fields): string[] {
  return f.strings("hosts").filter((name, i) => {
    if (/^(\[[0-9a-fA-F:.]+\]|[^\s/:@?#\[\]]+)(:\d{1,5})?$/.test(name)) return true;
    f.issues.add(
      joinPath(f.at("hosts"), i),
      `"${name}" is not a host name (expected e.g. "kiosk-3.local" or "kiosk-3.local:8888")`,
    );
    return false;
  });
}

/** True for a bare origin: scheme, host and optional port, nothing more. */
function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return url.origin !== "null" && url.origin === text.replace(/\/$/, "").toLowerCase();
  } catch {
    return false;
  }
}

// -----------------------------------------------------------------------------

const LEVELS: readonly LogLevel[] = ["debug", "info", "warning", "error"];

/** `logging`: sup's own log; `file` is resolved against the config's directory. */
export function readLogging(
  value: unknown,
  issues: IssueList,
  dir: string,
  path: string,
  readers: Pick<SectionReaders, "readEventFile" | "readLogMail" | "readScreenshots">,
): ResolvedLogging {
  const defaults: ResolvedLogging = { ...DEFAULT_LOGGING };
  const f = value === undefined ? null : Fields.of(value, path, issues);
  if (!f) return defaults;
  f.keys(LOGGING_KEYS);
  let file: string | null = null;
  if (f.obj.file !== false) {
    const filePath = f.string("file", null);
    if (filePath !== null) file = resolve(dir, filePath);
  }
  return {
    level: f.oneOf("level", LEVELS, "info", "a log level"),
    format: f.oneOf("format", ["text", "json"] as const, "text", "a log format"),
    file,
    maxBytes: f.size("maxSize", defaults.maxBytes),
    maxFiles: f.whole("maxFiles", defaults.maxFiles, 1),
    fileMode: readFileMode(f),
    events: readers.readEventFile(f, dir),
    mail: readers.readLogMail(f),
    screenshots: readers.readScreenshots(f, dir),
  };
}

function readFileMode(f: Fields): number {
  const mode = f.whole("fileMode", DEFAULT_FILE_MODE, 0, 0o777);
  if ((mode & 0o600) === 0o600) return mode;
  f.fail(
    "fileMode",
    `must let sup's user read and write (include 0o600), got 0o${mode.toString(8)}`,
  );
  return DEFAULT_FILE_MODE;
}

/** Actions `apps.allow` may list. */
export const APP_ACTIONS: readonly AppAction[] = ["kill", "restart", "reboot"];

/** `apps`: whether apps may register themselves, and which actions they may ask for. */
export function readApps(value: unknown, issues: IssueList, path = "apps"): ResolvedApps {
  const defaults: ResolvedApps = { ...DEFAULT_APPS, allow: [...DEFAULT_APPS.allow] };
  const f = value === undefined ? null : Fields.of(value, path, issues);
  if (!f) return defaults;
  f.keys(APPS_KEYS);
  let allow = defaults.allow;
  const raw = f.obj.allow;
  if (raw !== undefined) {
    if (!Array.isArray(raw)) {
      f.fail(
        "allow",
        `must be an array of actions (e.g. ["kill", "restart"]), got ${JSON.stringify(raw)}`,
      );
    } else {
      allow = [];
      raw.forEach((item, i) => {
        if ((APP_ACTIONS as readonly unknown[]).includes(item)) {
          if (!allow.includes(item)) allow.push(item);
          return;
        }
        const hint = typeof item === "string" ? didYouMean(item, APP_ACTIONS) : "";
        const none = item === "none" ? ' ("none" is always allowed; leave it out)' : "";
        issues.add(
          joinPath(f.at("allow"), i),
          `${describe(item)} is not an app action (expected ${
            listChoices(APP_ACTIONS)
          })${none}${hint}`,
        );
      });
    }
  }
  return {
    enabled: f.bool("enabled", defaults.enabled),
    allow,
    allowJobs: f.bool("allowJobs", defaults.allowJobs),
    maxPerUser: f.whole("maxPerUser", defaults.maxPerUser, 1, 100_000),
    expireAfterMisses: f.whole("expireAfterMisses", defaults.expireAfterMisses, 1, 1000),
  };
}
