/**
 * sup's config API: what a config file imports as "sup".
 *
 * ```ts
 * import { defineConfig } from "sup";
 *
 * export default defineConfig({
 *   jobs: {
 *     db: { cmd: "postgres -D data" },
 *     web: { cmd: "node server.js", after: ["db"], maxMemory: "200MB" },
 *   },
 * });
 * ```
 *
 * Glossary (one word per concept, used everywhere in sup):
 * - **job**: a program sup starts and keeps alive (never "process", "program"
 *   or "service"); its OS process group is the job's *process*.
 * - **state**: where a job is: `stopped`, `starting`, `running`, `backoff`,
 *   `stopping`, `exited`, `fatal` (supervisord's names).
 * - **ready**: a running job that has sent its first heartbeat or passed its
 *   first health check (or, with neither configured, one that has spawned).
 *   "Spawned" and "ready" are separate facts.
 * - **heartbeat**: an "I am alive" signal an app sends to sup; a missing one
 *   triggers the job's heartbeat action.
 * - **probe**: something that watches a job and asks for an action
 *   (heartbeat watchdog, HTTP check, memory limit, depends files, schedules).
 * - **action**: start, stop, restart, kill or reboot, always with a reason;
 *   every action goes through one supervisor path.
 * - **event**: a typed fact (`job.exited`, `heartbeat.missed`, ...) on the
 *   event bus; everything observable is one.
 * - **run**: one life of a job's process, from its spawn until the job leaves
 *   `running` (stopping, exit); numbered per job. Probes watch runs.
 * - **listener**: a consumer of events (built-in ones such as crash mail, or
 *   your own function). Never a socket: an address sup serves HTTP on is a
 *   *listen slot*.
 * - **app**: a program that talks to sup over a channel: a job's program, or
 *   a *self-registered app* sup did not start (register, refresh, unregister).
 * - **app command**: one request from an app (heartbeat, log, event,
 *   restart, config request, message, register, refresh, unregister),
 *   whatever channel brought it; one handler answers every app command.
 * - **channel**: a codec of the app protocol: OSC over UDP, WebSocket frames,
 *   HTTP requests. It turns what an app sends into app commands and the
 *   handler's replies into datagrams, frames or JSON; it decides nothing.
 * - **component**: a part of a running sup that follows the config (a probe,
 *   the app registry, a channel, the HTTP server). `sup run` builds them,
 *   hands each the config at start and on every reload, and closes them on
 *   shutdown. sup has no "services": a part of sup is a component, a program
 *   it runs is a job.
 * - **mode**: a named set of overrides (`dev`, `dev.foo`, `@hostname`)
 *   applied over the config.
 * - **backoff**: the growing delay between restarts after quick deaths.
 * - **fatal**: a job that died too often too quickly; it stays stopped until
 *   started by hand, its config changes, or `retryFatalAfter` passes.
 *
 * This module has no runtime side effects and imports nothing heavy: user
 * configs import it.
 *
 * @module
 */

import type { ConfigBody, DeepPartial, JobConfig, UserConfig } from "./config/types.ts";
import type { Listener } from "./notify/listener_api.ts";
// Health checks
export type {
  HealthAction,
  HealthConfig,
  HealthExecCheck,
  HealthHttpCheck,
  HealthTcpCheck,
} from "./config/health_types.ts";

export type {
  AnalyticsConfig,
  AppAction,
  AppsConfig,
  BackoffConfig,
  CommandConfig,
  ConfigBody,
  ControlNetworkConfig,
  DeepPartial,
  Duration,
  EventFileConfig,
  HeartbeatAction,
  HeartbeatConfig,
  HttpConfig,
  JobConfig,
  LimitValue,
  ListenConfig,
  LoggingConfig,
  LogLevel,
  MachineConfig,
  NetworkConfig,
  OscConfig,
  OutputConfig,
  OutputFileConfig,
  RestartPolicy,
  ScheduleConfig,
  SecretValue,
  Size,
  SocketConfig,
  StopSignal,
  UlimitConfig,
  UserConfig,
  WebSocketConfig,
} from "./config/types.ts";
export type {
  MetricsAccess,
  MetricsHttpConfig,
  PmtrNetworkConfig,
  UdpAddress,
} from "./config/types_monitoring.ts";
export type {
  EnvSecret,
  LoggingMailOptions,
  LogMailConfig,
  MailBody,
  MailConfig,
  ScreenshotsConfig,
  SmtpConfig,
} from "./config/mail_types.ts";
export type {
  CrashmailBatchDescriptor,
  CrashmailDescriptor,
  CrashmailOptions,
  CrashSmsDescriptor,
  CrashSmsOptions,
  FatalmailBatchDescriptor,
  MailBatchOptions,
  MailListenerOptions,
} from "./config/listener_crash_types.ts";

// Listeners (issue 9): the typed API, the events they receive, what they may do.
export type {
  BuiltinListener,
  ListenerConfig,
  ListenerFunctionConfig,
  ListenerSpecConfig,
  PluginConfig,
  PluginDispose,
} from "./config/types_listeners.ts";
export {
  type EventGroup,
  type Listener,
  listener,
  type ListenerFunction,
  type ListenerSpec,
  type Plugin,
  plugin,
} from "./notify/listener_api.ts";
export type { ListenerContext, ListenerLogger, PluginContext } from "./notify/listener.ts";
export type {
  ActionReason,
  ActionSource,
  EventOf,
  ExitStatus,
  HealthCheckKind,
  JobState,
  MachineAction,
  ReadySource,
  SupEvent,
  SupEventType,
} from "./core/events.ts";
export type { JobStatus } from "./core/job_status.ts";
export type { Attachment, Delivery, Notification, Notifier } from "./core/notification.ts";
// Built-in listener factories (each returns a plain descriptor).
export * from "./config/listener_factories.ts";
// Their option types, named so the generated sup_types.ts exports them too.
export type {
  WebhookDescriptor,
  WebhookOptions,
  WebhookPreset,
} from "./config/listener_factories.ts"; // H4
// httpok, memmon
export type { HttpokListener, HttpokOptions } from "./config/listener_httpok_types.ts";
export type { MemmonListener, MemmonOptions } from "./config/listener_memmon_types.ts";

/** A job whose `after` may only name jobs of the same config (`J`). */
export type JobConfigOf<J extends string> = Omit<JobConfig, "after"> & {
  /**
   * Start this job only once these jobs are running (or ready, when they
   * have a heartbeat or a health check).
   * @example ["db"]
   */
  after?: NoInfer<J>[];
};

/** A config section of a mode, with typed listeners. */
export type ModeSection = DeepPartial<Omit<ConfigBody, "listeners">> & {
  /** Replaces the config's listeners in this mode. */
  listeners?: Listener[];
};

/**
 * A `UserConfig` whose job names are known (`J`), so `after` autocompletes
 * them, and whose listeners are typed (events and context).
 */
export type UserConfigOf<J extends string> = Omit<UserConfig, "jobs" | "listeners" | "modes"> & {
  /** The jobs sup runs, keyed by name (letters, digits, `-`, `_`, `.`). */
  jobs?: { [K in J]: JobConfigOf<J> };
  /**
   * Listeners fed sup's events: built-ins (`crashmail({...})`), functions
   * `(event, ctx) => ...`, `{ on, jobs, handle }` and plugins `{ name, setup }`.
   * @default []
   */
  listeners?: Listener[];
  /**
   * Overrides by mode and by machine, applied over the defaults (ampm's modes).
   * `sup run config.ts dev.foo` applies `dev` then `dev.foo`; sections named
   * `@<hostname>` and `@<hostname>.<mode>` apply on that machine by themselves.
   * Objects merge deeply; arrays and scalars replace.
   * @example { dev: { jobs: { web: { env: { DEBUG: "1" } } } }, "@kiosk-3": { app: { screen: 2 } } }
   */
  modes?: Record<string, ModeSection>;
};

/**
 * Gives a config its type, so the editor autocompletes and documents every
 * option (and job names in `after`). Returns the config unchanged.
 */
export function defineConfig<const J extends string>(config: UserConfigOf<J>): UserConfig {
  return config as UserConfig;
}
