/**
 * The config after validation: every default applied, every field required,
 * durations in milliseconds, sizes in bytes, paths absolute. Made in one
 * place (`resolve.ts`) from a `UserConfig`; nothing else reads user input.
 *
 * @module
 */

import type {
  AppAction,
  HeartbeatAction,
  LimitValue,
  LogLevel,
  RestartPolicy,
  StopSignal,
  UlimitConfig,
} from "./types.ts";
import type { ResolvedMachine } from "./machine_resolved.ts";
import type { ResolvedAnalytics, ResolvedEventFile } from "./analytics_resolved.ts";
export type { ResolvedAnalytics, ResolvedEventFile } from "./analytics_resolved.ts";
export { DEFAULT_MACHINE, defaultMachine, type ResolvedMachine } from "./machine_resolved.ts";
import type { ResolvedHealth } from "./health_resolved.ts";
import type { ResolvedListener } from "./resolved_listeners.ts";
import type { MetricsAccess } from "./types_monitoring.ts";
import type { ResolvedPmtrNetwork } from "./monitoring_resolved.ts";
import type { ResolvedLogMail, ResolvedMail, ResolvedScreenshots } from "./mail_resolved.ts";
import type { ResolvedControlNetwork } from "./resolved_control.ts";

/** Where one output stream of a job goes. */
export type ResolvedOutput =
  | { kind: "log" }
  | { kind: "discard" }
  | {
    kind: "file";
    path: string;
    maxBytes: number;
    maxFiles: number;
    daily: boolean;
    /** Permissions (`logging.fileMode`). */
    mode: number;
  };

/** A job's heartbeat watchdog, in milliseconds. */
export interface ResolvedHeartbeat {
  timeoutMs: number;
  startupTimeoutMs: number;
  action: HeartbeatAction;
}

/** A job's cron schedules (validated expressions). */
export interface ResolvedSchedule {
  start: string | null;
  stop: string | null;
  restart: string | null;
}

/** One job, ready to run. */
export interface ResolvedJob {
  name: string;
  /** argv; `shell: true` is already turned into `["/bin/sh", "-c", cmd]`. */
  argv: string[];
  /** Absolute working directory. */
  dir: string;
  env: Record<string, string>;
  clearEnv: boolean;
  /** Numeric ids, looked up at validation. null: sup's own. */
  uid: number | null;
  gid: number | null;
  /** Job groups (`groups`), for `"group:<name>"` selectors. */
  groups: string[];
  ulimit: { [K in keyof UlimitConfig]-?: LimitValue | null };
  /** Absolute path or null for no input. */
  stdin: string | null;
  stdout: ResolvedOutput;
  stderr: ResolvedOutput;
  restart: RestartPolicy;
  noRestartExitCodes: number[];
  minUptimeMs: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  maxRetries: number;
  retryFatalAfterMs: number | null;
  killSignal: StopSignal;
  killTimeoutMs: number;
  once: boolean;
  wait: boolean;
  after: string[];
  disabled: boolean;
  bounceMs: number | null;
  /** Absolute paths. */
  depends: string[];
  maxMemoryBytes: number | null;
  heartbeat: ResolvedHeartbeat | null;
  /** The health check, or null when the job has none. */
  health: ResolvedHealth | null;
  schedule: ResolvedSchedule;
  sideCommand: string[] | null;
  postLaunchCommand: string[] | null;
}

/** An address and port. */
export interface ResolvedListen {
  host: string;
  port: number;
}

/** `network.http` resolved. */
export interface ResolvedHttp extends ResolvedListen {
  hosts: string[];
  /** Who may read `/metrics` and `/healthz` (`network_monitoring.ts`). */
  metrics: MetricsAccess;
}

/** `network.websocket` resolved; sizes in bytes. */
export interface ResolvedWebSocket extends ResolvedListen {
  hosts: string[];
  origins: string[];
  maxMessageBytes: number;
  maxQueuedBytes: number;
  maxConnections: number;
}

/** Where sup listens (and pmtr's report and control: `network_monitoring.ts`). */
export interface ResolvedNetwork extends ResolvedPmtrNetwork {
  http: ResolvedHttp;
  websocket: ResolvedWebSocket;
  osc: ResolvedListen & { appHost: string; appPort: number };
  // The control socket
  /** `network.name`, or null to derive it from the config path. */
  name: ResolvedControlNetwork["name"];
  /** The control socket, or null when `network.socket` is false. */
  socket: ResolvedControlNetwork["socket"];
}

/** Log files are readable by sup's user only unless `logging.fileMode` widens it. */
export const DEFAULT_FILE_MODE = 0o600;

/** sup's own log. */
export interface ResolvedLogging {
  level: LogLevel;
  format: "text" | "json";
  /** Absolute path or null. */
  file: string | null;
  maxBytes: number;
  maxFiles: number;
  /** Permissions of log files sup creates (0o600 by default). */
  fileMode: number;
  /** The event log file (`logging.events`), or null. */
  events: ResolvedEventFile | null;
  /** `logging.mail`, or null. */
  mail: ResolvedLogMail | null;
  /** `logging.screenshots`, or null. */
  screenshots: ResolvedScreenshots | null;
}

/** The logging a config without a `logging` section gets (and sup uses before any config). */
export const DEFAULT_LOGGING: Readonly<ResolvedLogging> = Object.freeze({
  level: "info",
  format: "text",
  file: null,
  maxBytes: 10 * 1024 ** 2,
  maxFiles: 5,
  fileMode: DEFAULT_FILE_MODE,
  events: null,
  mail: null,
  screenshots: null,
});

/** Self-registering apps: what registrations may do. */
export interface ResolvedApps {
  enabled: boolean;
  /** Actions a registration may ask for besides "none". */
  allow: AppAction[];
  /** Registrations may name processes of sup's jobs. */
  allowJobs: boolean;
  /** Most registrations per local user. */
  maxPerUser: number;
  /** Misses in a row after which an action "none" registration is removed. */
  expireAfterMisses: number;
}

/** The `apps` section when the config says nothing. */
export const DEFAULT_APPS: Readonly<ResolvedApps> = Object.freeze({
  enabled: true,
  allow: ["kill"] as AppAction[],
  allowJobs: false,
  maxPerUser: 64,
  expireAfterMisses: 3,
});

/** A whole config, ready to run. */
export interface ResolvedConfig {
  /** Absolute path of the config file it came from. */
  source: string;
  /** Modes applied, in order (named and hostname sections). */
  modes: string[];
  /** Jobs in config order (the order `wait` jobs gate). */
  jobs: ResolvedJob[];
  network: ResolvedNetwork;
  logging: ResolvedLogging;
  app: Record<string, unknown>;
  apps: ResolvedApps;
  machine: ResolvedMachine;
  /** App events to Google Analytics 4, or null. */
  analytics: ResolvedAnalytics | null;
  /** Listeners, in config order (built-ins, functions, plugins). */
  listeners: ResolvedListener[];
  /** `mail`, or null when the config sends none. */
  mail: ResolvedMail | null;
}
