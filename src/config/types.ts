/**
 * The config a user writes (`UserConfig`): every field optional unless a job
 * cannot exist without it, each documented for the editor's hover. The
 * validator turns it into a `ResolvedConfig` (see `resolved.ts`).
 *
 * @module
 */

import type { MachineConfig } from "./machine_types.ts";
export type { MachineConfig } from "./machine_types.ts";
import type { AnalyticsConfig, EventFileConfig } from "./analytics_types.ts";
export type { AnalyticsConfig, EventFileConfig, SecretValue } from "./analytics_types.ts";
import type { HealthConfig } from "./health_types.ts";
import type { ListenerConfig } from "./types_listeners.ts";
export type {
  BuiltinListener,
  ListenerConfig,
  ListenerFunctionConfig,
  ListenerSpecConfig,
  PluginConfig,
  PluginDispose,
} from "./types_listeners.ts";
import type { MetricsHttpConfig, PmtrNetworkConfig } from "./types_monitoring.ts";
import type { LoggingMailOptions, MailBody } from "./mail_types.ts"; // issue 9: mail
import type { AppsConfig } from "./apps_types.ts";
export type { AppAction, AppsConfig } from "./apps_types.ts";
import type { ControlNetworkConfig } from "./types_control.ts";
export type { ControlNetworkConfig, SocketConfig } from "./types_control.ts";

/**
 * A duration: milliseconds as a number, or a string with a unit written
 * straight after the amount (`ms`, `s`, `m`, `h`, `d`). At most 366 days.
 * @example "250ms" | "10s" | "5m" | "1h" | "30d" | 1500
 */
export type Duration =
  | number
  | `${number}ms`
  | `${number}s`
  | `${number}m`
  | `${number}h`
  | `${number}d`;

/**
 * A size: bytes as a number, or a string with a 1024-based unit written
 * straight after the amount, in capitals (1KB = 1024 bytes, 1MB = 1024 KB,
 * 1GB = 1024 MB).
 * @example "512KB" | "200MB" | "1GB" | 4096
 */
export type Size =
  | number
  | `${number}B`
  | `${number}KB`
  | `${number}MB`
  | `${number}GB`
  | `${number}TB`;

/** When a job that exited is started again. */
export type RestartPolicy = "always" | "on-failure" | "never";

/** A signal sup may send to a job's process group. */
export type StopSignal =
  | "SIGTERM"
  | "SIGINT"
  | "SIGQUIT"
  | "SIGHUP"
  | "SIGKILL"
  | "SIGUSR1"
  | "SIGUSR2";

/** A resource limit value: a number, or "infinity" for no limit. */
export type LimitValue = number | "infinity";

/** Resource limits applied to a job with util-linux `prlimit`. */
export interface UlimitConfig {
  /** Open file descriptors (RLIMIT_NOFILE). @example 4096 */
  nofile?: LimitValue;
  /** Processes for the job's user (RLIMIT_NPROC). */
  nproc?: LimitValue;
  /** Core dump size in bytes (RLIMIT_CORE); "infinity" to keep full cores. */
  core?: LimitValue;
  /** Locked memory in bytes (RLIMIT_MEMLOCK). */
  memlock?: LimitValue;
  /** Stack size in bytes (RLIMIT_STACK). */
  stack?: LimitValue;
}

/** What sup does when a job's heartbeat goes missing. */
export type HeartbeatAction = "restart" | "kill" | "reboot" | "none";

/** Heartbeat watchdog for a job (ampm's heartbeatTimeout / startupTimeout). */
export interface HeartbeatConfig {
  /** Longest allowed gap between two heartbeats once the first has arrived. @default "10s" */
  timeout?: Duration;
  /** Longest wait for the first heartbeat after the job was spawned. @default "60s" */
  startupTimeout?: Duration;
  /** What to do when a heartbeat is missed; "none" only notifies. @default "restart" */
  action?: HeartbeatAction;
}

/** Cron schedules for a job (5 or 6 fields, in the machine's time zone). */
export interface ScheduleConfig {
  /** Start the job at these times. @example "0 8 * * 1-5" */
  start?: string;
  /** Stop the job at these times. @example "0 20 * * *" */
  stop?: string;
  /** Restart the job at these times. @example "0 4 * * *" */
  restart?: string;
}

/** Backoff between quick deaths: doubles from `initial` up to `max`. */
export interface BackoffConfig {
  /** First delay after a quick death. @default "1s" */
  initial?: Duration;
  /** The largest delay. @default "60s" */
  max?: Duration;
}

/** A file that receives a job's output, rotated by size and daily. */
export interface OutputFileConfig {
  /** Path, relative to the config file. */
  file: string;
  /** Rotate when the file passes this size. @default "10MB" */
  maxSize?: Size;
  /** Rotated files kept (gzipped). @default 5 */
  maxFiles?: number;
  /** Also rotate at local midnight. @default true */
  daily?: boolean;
}

/**
 * Where a stream of a job goes: a file path (relative to the config file),
 * a file with rotation settings, or `false` to discard it.
 * Unset: lines go to sup's log under category `["sup","job",<name>]`.
 */
export type OutputConfig = string | false | OutputFileConfig;

/** A command: a string split like a shell (double quotes group, no expansion), or an argv array. */
export type CommandConfig = string | string[];

/** One job: a program sup starts and keeps alive. */
export interface JobConfig {
  /**
   * The command. A string is split on spaces, with double quotes grouping
   * words and no variable or glob expansion (unless `shell` is true).
   * @example "node server.js --port 8080"
   * @example ["python3", "-u", "worker.py"]
   */
  cmd: CommandConfig;
  /** Run `cmd` through `/bin/sh -c` (expansion, pipes). @default false */
  shell?: boolean;
  /** Working directory, relative to the config file. @default the config file's directory */
  dir?: string;
  /** Environment variables, merged over sup's own environment. */
  env?: Record<string, string>;
  /** Start from an empty environment instead of sup's (`env` still applies). @default false */
  clearEnv?: boolean;
  /** Run as this user (name or uid); sup must run as root. */
  user?: string | number;
  /** Run with this Unix group (name or gid). @default the user's primary group */
  group?: string | number;
  /**
   * Job groups this job belongs to (supervisord's `[group:x]`): selectors
   * elsewhere name them as `"group:<name>"`. Not the Unix group (that is
   * `group`). Names: letters, digits, "-", "_" and ".".
   * @example ["web"]
   */
  groups?: string | string[];
  /** Resource limits, applied with `prlimit`. */
  ulimit?: UlimitConfig;
  /** A file fed to the job's standard input. @default no input */
  stdin?: string;
  /** Where standard output goes. @default sup's log */
  stdout?: OutputConfig;
  /** Where standard error goes. @default sup's log */
  stderr?: OutputConfig;
  /** When to start the job again after it exits. @default "always" */
  restart?: RestartPolicy;
  /** Exit codes that mean "do not restart me" (pmtr's 33). @default [33] */
  noRestartExitCodes?: number[];
  /** A job that dies sooner than this after start counts as a quick death and backs off. @default "10s" */
  minUptime?: Duration;
  /** Delay between restarts after quick deaths. @default { initial: "1s", max: "60s" } */
  backoff?: BackoffConfig;
  /** Quick deaths in a row before the job becomes `fatal`. @default 10 */
  maxRetries?: number;
  /** Try a `fatal` job again after this long (unset: stay fatal until started by hand or its config changes). */
  retryFatalAfter?: Duration;
  /** Signal that asks the job to stop, sent to its whole process group. @default "SIGTERM" */
  killSignal?: StopSignal;
  /** Time between `killSignal` and SIGKILL. @default "5s" */
  killTimeout?: Duration;
  /** Run to completion once; never restart. @default false */
  once?: boolean;
  /** A setup job: must exit 0 before jobs listed after it in the config start. Implies `once`. @default false */
  wait?: boolean;
  /**
   * Start this job only once these jobs are running (or ready, when they
   * have a heartbeat or a health check).
   * @example ["db"]
   */
  after?: string[];
  /** Keep the job stopped. @default false */
  disabled?: boolean;
  /** Restart the job periodically. @example "1h" */
  bounce?: Duration;
  /** Restart the job when one of these files' content changes (paths relative to the config file). */
  depends?: string[];
  /** Restart the job when its memory (RSS, with its children) passes this size. @example "200MB" */
  maxMemory?: Size;
  /** Restart the job when it stops sending heartbeats. */
  heartbeat?: HeartbeatConfig;
  /** Check the job over HTTP, TCP or a command; ready after the first pass, restarted after failures in a row. */
  health?: HealthConfig;
  /** Start, stop or restart the job on cron schedules. */
  schedule?: ScheduleConfig;
  /** A helper command started and stopped with this job. */
  sideCommand?: CommandConfig;
  /** A command run once after each start, when the job is ready (first heartbeat or passing health check, or spawn if it has neither). */
  postLaunchCommand?: CommandConfig;
}

/** An address and port sup listens on. */
export interface ListenConfig {
  /** Port number, 1-65535. */
  port?: number;
  /** Address to bind. @default network.host */
  host?: string;
}

/** OSC over UDP: heartbeats and messages from apps, answers to apps. */
export interface OscConfig extends ListenConfig {
  /** UDP port apps listen on for sup's answers (e.g. `/config`). @default 3003 */
  appPort?: number;
  /** Address sup sends answers to. @default "127.0.0.1" */
  appHost?: string;
}

// network.http / network.websocket security ---------------------

/** The HTTP API's address and the host names it answers to. */
export interface HttpConfig extends ListenConfig, MetricsHttpConfig {
  /**
   * Host names a request may name in its `Host` header besides 127.0.0.1, [::1], localhost,
   * the bind address and any IP address; other names are answered 421 (a guard against DNS
   * rebinding). A name matches with any port; "name:port" matches that port only.
   * @default []
   * @example ["kiosk-3.local"]
   */
  hosts?: string[];
}

/** The app WebSocket channel's address, who may connect, and its bounds. */
export interface WebSocketConfig extends ListenConfig {
  /** Host names an upgrade may name in `Host`, as `network.http.hosts`. @default [] */
  hosts?: string[];
  /**
   * Origins of web pages allowed to connect, besides pages served by sup's own HTTP API.
   * Programs (no `Origin` header) always connect. "null" admits `file://` pages, "*" any page.
   * Others are refused with 403.
   * @default []
   * @example ["http://127.0.0.1:8080", "null"]
   */
  origins?: string[];
  /** Largest message an app may send; the rest of a longer one is read and dropped, never stored. @default "64KB" */
  maxMessageSize?: Size;
  /** Bytes waiting to be sent to one connection beyond which it is dropped (a client that does not read). @default "1MB" */
  maxQueuedBytes?: Size;
  /** Open connections at most; more are refused with 503. @default 256 */
  maxConnections?: number;
}

/** Where sup listens. Everything is bound to 127.0.0.1 unless set here. */
export interface NetworkConfig extends PmtrNetworkConfig, ControlNetworkConfig {
  /** Default address for every listener. @default "127.0.0.1" */
  host?: string;
  /** Panel, REST API, `/config` and HTTP heartbeats. @default { port: 8888 } */
  http?: HttpConfig;
  /** App WebSocket channel (`ws://host:port/app?job=NAME`). @default { port: 3001 } */
  websocket?: WebSocketConfig;
  /** OSC from apps (UDP). @default { port: 3002, appPort: 3003 } */
  osc?: OscConfig;
}

/** A log level, lowest to highest. */
export type LogLevel = "debug" | "info" | "warning" | "error";

/** sup's own log. */
export interface LoggingConfig extends LoggingMailOptions {
  /** Lowest level written. `-v` lowers it to "debug", `-q` raises it to "warning". @default "info" */
  level?: LogLevel;
  /** Console format: human text, or one JSON object per line. @default "text" */
  format?: "text" | "json";
  /** Log file (JSON lines), relative to the config file; false for none. @default false */
  file?: string | false;
  /** Rotate the log file at this size. @default "10MB" */
  maxSize?: Size;
  /** Rotated log files kept. @default 5 */
  maxFiles?: number;
  /**
   * Permissions of the log files sup creates (its own log and jobs' output
   * files); folders it creates for them get the matching search bits. The
   * default lets only sup's user read them: job output may hold secrets.
   * Must include 0o600 (sup reads and writes them).
   * @default 0o600
   * @example 0o640
   */
  fileMode?: number;
  /**
   * ampm's event log file: app events and job lifecycle events, one TSV line
   * each, a file a day; false for none.
   * @default false
   * @example { file: "logs/event-{date}.tsv" }
   */
  events?: EventFileConfig | false;
}

/** Everything in a config except `modes`: what a mode may override. */
export interface ConfigBody extends MailBody {
  /** The jobs sup runs, keyed by name (letters, digits, `-`, `_`, `.`). */
  jobs?: Record<string, JobConfig>;
  /** Where sup listens. */
  network?: NetworkConfig;
  /** sup's own log. */
  logging?: LoggingConfig;
  /** Free-form settings for your app, served at `GET /config` and over OSC/WebSocket. */
  app?: Record<string, unknown>;
  /** Self-registering apps: whether they may register and which actions they may ask for. */
  apps?: AppsConfig;
  /** The machine: how to reboot and power it off, and when sup does it by itself. */
  machine?: MachineConfig;
  /** App events to Google Analytics 4 (Measurement Protocol); false for none. @default false */
  analytics?: AnalyticsConfig | false;
  /**
   * Listeners fed sup's events: built-ins (`crashmail({...})`), functions
   * `(event, ctx) => ...`, `{ on, jobs, handle }` and plugins `{ name, setup }`.
   * @default []
   */
  listeners?: ListenerConfig[];
}

/** Deep partial: what a mode section may set. */
export type DeepPartial<T> = T extends readonly unknown[] ? T
  : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> }
  : T;

/** The whole config a user writes. */
export interface UserConfig extends ConfigBody {
  /**
   * Overrides by mode and by machine, applied over the defaults (ampm's modes).
   * `sup run config.ts dev.foo` applies `dev` then `dev.foo`; sections named
   * `@<hostname>` and `@<hostname>.<mode>` apply on that machine by themselves.
   * Objects merge deeply; arrays and scalars replace.
   * @example { dev: { jobs: { web: { env: { DEBUG: "1" } } } }, "@kiosk-3": { app: { screen: 2 } } }
   */
  modes?: Record<string, DeepPartial<ConfigBody>>;
}
