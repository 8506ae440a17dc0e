/**
 * Validates and resolves the `network` and `logging` sections.
 *
 * @module
 */

import { resolve } from "node:path";
import type { IssueList } from "./config_error.ts";
import { type AllKeys, Fields } from "./fields.ts";
import type { ResolvedListen, ResolvedLogging, ResolvedNetwork } from "./resolved.ts";
import type { LoggingConfig, LogLevel, NetworkConfig, OscConfig } from "./types.ts";

const NETWORK_KEYS = ["host", "http", "websocket", "osc"] as const;
const OSC_KEYS = ["port", "host", "appPort", "appHost"] as const;
const LOGGING_KEYS = ["level", "format", "file", "maxSize", "maxFiles"] as const;
const _network: AllKeys<NetworkConfig, typeof NETWORK_KEYS[number]> = true;
const _osc: AllKeys<OscConfig, typeof OSC_KEYS[number]> = true;
const _logging: AllKeys<LoggingConfig, typeof LOGGING_KEYS[number]> = true;

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
export function readNetwork(value: unknown, issues: IssueList, path = "network"): ResolvedNetwork {
  const f = value === undefined ? null : Fields.of(value, path, issues);
  f?.keys(NETWORK_KEYS);
  const host = f?.string("host", "127.0.0.1") ?? "127.0.0.1";
  if (!f) {
    return {
      http: { host, port: 8888 },
      websocket: { host, port: 3001 },
      osc: { host, port: 3002, appHost: "127.0.0.1", appPort: 3003 },
    };
  }
  const http = readListen(f, "http", host, 8888);
  const websocket = readListen(f, "websocket", host, 3001);
  const osc = readListen(f, "osc", host, 3002, ["appPort", "appHost"]);
  return {
    http: { host: http.host, port: http.port },
    websocket: { host: websocket.host, port: websocket.port },
    osc: {
      host: osc.host,
      port: osc.port,
      appHost: osc.f?.string("appHost", "127.0.0.1") ?? "127.0.0.1",
      appPort: osc.f ? readPort(osc.f, "appPort", 3003) : 3003,
    },
  };
}

const LEVELS: readonly LogLevel[] = ["debug", "info", "warning", "error"];

/** `logging`: sup's own log; `file` is resolved against the config's directory. */
export function readLogging(
  value: unknown,
  issues: IssueList,
  dir: string,
  path = "logging",
): ResolvedLogging {
  const defaults: ResolvedLogging = {
    level: "info",
    format: "text",
    file: null,
    maxBytes: 10 * 1024 ** 2,
    maxFiles: 5,
  };
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
  };
}
