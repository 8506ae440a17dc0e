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
 * - **ready**: a running job that has sent its first heartbeat (or, without a
 *   heartbeat, one that has spawned). "Spawned" and "ready" are separate facts.
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

import type { JobConfig, UserConfig } from "./config/types.ts";

export type {
  AppAction,
  AppsConfig,
  BackoffConfig,
  CommandConfig,
  ConfigBody,
  ControlNetworkConfig,
  DeepPartial,
  Duration,
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
  Size,
  SocketConfig,
  StopSignal,
  UlimitConfig,
  UserConfig,
  WebSocketConfig,
} from "./config/types.ts";

/** A job whose `after` may only name jobs of the same config (`J`). */
export type JobConfigOf<J extends string> = Omit<JobConfig, "after"> & {
  /**
   * Start this job only once these jobs are running (or ready, when they
   * have a heartbeat).
   * @example ["db"]
   */
  after?: NoInfer<J>[];
};

/** A `UserConfig` whose job names are known (`J`), so `after` autocompletes them. */
export type UserConfigOf<J extends string> = Omit<UserConfig, "jobs"> & {
  /** The jobs sup runs, keyed by name (letters, digits, `-`, `_`, `.`). */
  jobs?: { [K in J]: JobConfigOf<J> };
};

/**
 * Gives a config its type, so the editor autocompletes and documents every
 * option (and job names in `after`). Returns the config unchanged.
 */
export function defineConfig<const J extends string>(config: UserConfigOf<J>): UserConfig {
  return config as UserConfig;
}
