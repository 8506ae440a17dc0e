/**
 * What the rest of sup may ask of the registry of self-registered apps
 * (Digi appmonitor): register, refresh, unregister, list. The app command
 * handler and the routes depend on this surface, not on `AppRegistry`.
 *
 * @module
 */

import type { AppRegistration } from "./registration.ts";

/** A registered app as listed in status. */
export interface RegisteredApp extends AppRegistration {
  /** The id sup gave it (refresh and unregister name it). */
  id: string;
  /** When it registered (ms since epoch). */
  registeredAt: number;
  /** Its last refresh, or when sup (re)loaded it (ms since epoch). */
  lastRefresh: number;
  /** The local user that registered it (owner of the client's socket), or null when unknown. */
  uid: number | null;
}

/** Who registers: the local user (null when it cannot be told) and a name for logs. */
export interface RegistrationSender {
  uid: number | null;
  name: string;
}

/** A registration over the sender's allowance (`apps.maxPerUser`); HTTP 429. */
export class AppLimitError extends Error {
  /** Always "AppLimitError". */
  override name = "AppLimitError";
}

/**
 * A registration the config does not allow (`apps.enabled` false, or an
 * action missing from `apps.allow`). Channels answer it as a refusal
 * (HTTP 403), not as bad input.
 */
export class AppNotAllowedError extends Error {
  /** Always "AppNotAllowedError". */
  override name = "AppNotAllowedError";
}

/** Registered apps: register, refresh, unregister, list. */
export interface AppRegistryApi {
  /**
   * Registers an app for `sender` (default: sup's own user). Throws
   * `AppNotAllowedError` when the config or the rules on pids do not allow
   * it, `AppLimitError` when the sender holds too many, `RangeError` with a
   * clear message on bad input.
   */
  register(registration: AppRegistration, sender?: RegistrationSender): RegisteredApp;
  /** Refreshes an app's deadline; false when the id is unknown. */
  refresh(id: string): boolean;
  /** Removes an app; false when the id is unknown. */
  unregister(id: string): boolean;
  /** Every registered app. */
  list(): RegisteredApp[];
}
