/**
 * Renders a resolved config for people (`sup check`): one block per job,
 * in the shape and with the option names a config is written with
 * (`backoff.initial`, `maxMemory`, `user`), durations and sizes written with
 * units, defaults that mean "nothing" (null, false, empty) left out.
 *
 * @module
 */

import { monitoringLines } from "../config/network_monitoring.ts";
import type { ResolvedConfig, ResolvedJob, ResolvedOutput } from "../config/resolved.ts";
import { formatDuration, formatSize } from "../config/units.ts";
import { describeHealth, type ResolvedHealth } from "../config/health_section.ts";
import { listenerLines } from "./print_listeners.ts";
import { mailLines } from "../config/mail_print.ts";

/** argv as one line, quoting words that need it. */
export function showArgv(argv: string[]): string {
  return argv.map((word) => /^[\w@%+=:,./-]+$/.test(word) ? word : JSON.stringify(word)).join(" ");
}

function isEmpty(value: unknown): boolean {
  return value === null || value === false || value === undefined ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === "object" && value !== null && !Array.isArray(value) &&
      Object.values(value).every(isEmpty));
}

/** Writes a value with units: keys ending in `Ms` as durations, `Bytes` as sizes. */
function show(key: string, value: unknown): string {
  if (typeof value === "number" && key.endsWith("Ms")) return formatDuration(value);
  if (typeof value === "number" && key.endsWith("Bytes")) return formatSize(value);
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    return value.map((v) => typeof v === "string" ? v : JSON.stringify(v)).join(", ");
  }
  if (typeof value === "object" && value !== null && "kind" in value) {
    const out = value as ResolvedOutput;
    if (out.kind !== "file") return out.kind === "discard" ? "discarded" : "sup's log";
    return `${out.path} (rotated at ${formatSize(out.maxBytes)}${
      out.daily ? " and daily" : ""
    }, ${out.maxFiles} kept)`;
  }
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).filter(([, v]) => !isEmpty(v))
      .map(([k, v]) => `${label(k)} ${show(k, v)}`).join(", ");
  }
  return String(value);
}

/** Resolved keys whose config option has another name. */
const OPTION_NAMES: Record<string, string> = { maxBytes: "maxSize", uid: "user", gid: "group" };

function label(key: string): string {
  return OPTION_NAMES[key] ?? key.replace(/(Ms|Bytes)$/, "");
}

/** The job's fields in the config's shape: `backoffInitialMs` and `backoffMaxMs` as `backoff`. */
function optionsOf(job: ResolvedJob): [string, unknown][] {
  return Object.entries(job).flatMap(([key, value]): [string, unknown][] => {
    if (key === "backoffInitialMs") {
      return [["backoff", { initialMs: job.backoffInitialMs, maxMs: job.backoffMaxMs }]];
    }
    return key === "backoffMaxMs" ? [] : [[key, value]];
  });
}

function jobLines(job: ResolvedJob): string[] {
  const lines = [`  ${job.name}: ${showArgv(job.argv)}`];
  for (const [key, value] of optionsOf(job)) {
    if (key === "name" || key === "argv" || isEmpty(value)) continue;
    if (key === "health") {
      lines.push(`    ${"health".padEnd(18)} ${describeHealth(value as ResolvedHealth)}`);
      continue;
    }
    if (key === "env") {
      const vars = Object.entries(value as Record<string, string>).map(([k, v]) => `${k}=${v}`);
      lines.push(`    ${"env".padEnd(18)} ${vars.join(" ")}`);
      continue;
    }
    if (
      typeof value === "object" && !Array.isArray(value) &&
      (value as { kind?: string }).kind === "log"
    ) continue;
    lines.push(`    ${label(key).padEnd(18)} ${show(key, value)}`);
  }
  return lines;
}

/** The config as indented text. */
export function formatConfig(config: ResolvedConfig): string {
  const { http, websocket, osc } = config.network;
  const lines = [
    `config  ${config.source}`,
    `modes   ${config.modes.length > 0 ? config.modes.join(", ") : "(none)"}`,
    "",
    `jobs (${config.jobs.length})`,
    ...config.jobs.flatMap(jobLines),
    "",
    "network",
    `  http       ${http.host}:${http.port}`,
    `  websocket  ${websocket.host}:${websocket.port}`,
    `  osc        ${osc.host}:${osc.port} (answers to ${osc.appHost}:${osc.appPort})`,
    ...monitoringLines(config.network),
    ...socketLines(config.network), // issue 10
    "",
    "logging",
    `  ${
      show("", {
        level: config.logging.level,
        format: config.logging.format,
        file: config.logging.file ?? "none",
        ...(config.logging.file
          ? { maxBytes: config.logging.maxBytes, maxFiles: config.logging.maxFiles }
          : {}),
        ...(config.logging.events ? { events: config.logging.events.file } : {}),
      })
    }`,
    "",
    "apps (self-registration)",
    `  ${
      config.apps.enabled
        ? `enabled; actions allowed: ${["none", ...config.apps.allow].join(", ")}`
        : "turned off"
    }`,
    "",
    "machine",
    ...machineLines(config.machine),
    ...(config.analytics ? ["", "analytics", `  ${analyticsLine(config.analytics)}`] : []),
    ...listenerLines(config),
  ];
  lines.push(...mailLines(config));
  if (Object.keys(config.app).length > 0) {
    lines.push("", "app", ...JSON.stringify(config.app, null, 2).split("\n").map((l) => `  ${l}`));
  }
  return lines.join("\n");
}

/** The `machine` section, one option a line ("none" for what is off). */
function machineLines(machine: ResolvedConfig["machine"]): string[] {
  const guard = machine.minRebootIntervalMs > 0
    ? formatDuration(machine.minRebootIntervalMs)
    : "off";
  return [
    `  rebootCommand      ${machine.rebootCommand.join(" ")}`,
    `  shutdownCommand    ${machine.shutdownCommand.join(" ")}`,
    `  restartSchedule    ${machine.restartSchedule ?? "none"}`,
    `  shutdownSchedule   ${machine.shutdownSchedule ?? "none"}`,
    `  restartAfter       ${machine.restartAfter ?? "none"}`,
    `  minRebootInterval  ${guard}`,
  ];
}

/** GA4: the stream, where events go, and where the secret comes from (never the secret). */
function analyticsLine(analytics: NonNullable<ResolvedConfig["analytics"]>): string {
  const secret = typeof analytics.apiSecret === "string"
    ? "in the config"
    : `from $${analytics.apiSecret.env}`;
  return `${analytics.measurementId} to ${analytics.endpoint} every ${
    formatDuration(analytics.intervalMs)
  } (API secret ${secret})`;
}

/** `network.name` and `network.socket` (issue 10). */
function socketLines(network: ResolvedConfig["network"]): string[] {
  const { name, socket } = network;
  const lines = name === null ? [] : [`  name       ${name}`];
  if (socket === null) return [...lines, "  socket     none (network.socket: false)"];
  const where = socket.path ?? "<state folder>/<name>.sock";
  const group = socket.gid === null ? "" : `, group ${socket.gid}`;
  return [...lines, `  socket     ${where} (mode 0o${socket.mode.toString(8)}${group})`];
}
