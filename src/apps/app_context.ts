/**
 * What every app channel (OSC over UDP, WebSocket, HTTP) needs to serve an
 * app: heartbeats, self-registration, logs, events, restarts and the `app`
 * settings. One object, built in the composition root and passed in.
 *
 * @module
 */

import type { SupervisorApi } from "../core/api.ts";
import type { HeartbeatAction } from "../config/types.ts";

/** Why a heartbeat or request naming a job was refused. */
export type JobResolution =
  | { ok: true; job: string }
  | { ok: false; reason: string };

/** A registration request from an app sup did not start (Digi appmonitor). */
export interface AppRegistration {
  /** A name for status and events, e.g. "kiosk-browser". */
  name: string;
  /** Longest gap between refreshes, in milliseconds. */
  timeoutMs: number;
  /** What to do when a refresh is missed. */
  action: Exclude<HeartbeatAction, "none"> | "none";
  /** For action "restart": the command that starts the app again. */
  restartCommand: string[] | null;
  /** For action "kill": the process whose group is killed. */
  pid: number | null;
}

/** A registered app as listed in status. */
export interface RegisteredApp extends AppRegistration {
  id: string;
  registeredAt: number;
  lastRefresh: number;
}

/**
 * A registration the config does not allow (`apps.enabled` false, or an
 * action missing from `apps.allow`). Channels answer it as a refusal
 * (HTTP 403), not as bad input.
 */
export class AppNotAllowedError extends Error {
  override name = "AppNotAllowedError";
}

/** Registered apps: register, refresh, unregister, list. */
export interface AppRegistryApi {
  /**
   * Registers an app; returns its id. Throws `AppNotAllowedError` when the
   * config does not allow it, `RangeError` with a clear message on bad input.
   */
  register(registration: AppRegistration): RegisteredApp;
  /** Refreshes an app's deadline; false when the id is unknown. */
  refresh(id: string): boolean;
  /** Removes an app; false when the id is unknown. */
  unregister(id: string): boolean;
  /** Every registered app. */
  list(): RegisteredApp[];
}

/** Everything a channel needs. */
export interface AppChannelContext {
  api: SupervisorApi;
  /**
   * Which job a message is about: the explicit name when given (must exist),
   * else the only job with a heartbeat configured.
   */
  resolveJob(explicit: string | null | undefined): JobResolution;
  /** Records a heartbeat for a job (the hot path: no allocation, no timer reset). False when unknown or not running. */
  heartbeat(job: string): boolean;
  /** Self-registered apps. */
  apps: AppRegistryApi;
}
