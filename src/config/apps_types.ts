/**
 * The `apps` section a user writes: what self-registering apps may do.
 *
 * @module
 */

/** An action a self-registered app may ask for when it misses a refresh. */
export type AppAction = "kill" | "restart" | "reboot";

/**
 * Self-registering apps (Digi appmonitor): programs sup did not start that
 * register over HTTP (`POST /api/apps`), WebSocket or OSC with a timeout and
 * an action sup takes when they stop refreshing.
 *
 * Anyone who can reach sup's ports (127.0.0.1 by default: every local user
 * and program) can register. A registration with action "restart" names a
 * restart command that sup then runs as its own user (often root); "kill"
 * SIGKILLs the process group of a pid the client names; "reboot" restarts
 * the machine. Allow only what you need.
 */
export interface AppsConfig {
  /** Accept registrations at all; false refuses every one. @default true */
  enabled?: boolean;
  /**
   * Actions a registration may ask for. Action "none" (only notify) is
   * always allowed. Add "restart" only if every local client may run
   * commands as sup's user; "reboot" only if every local client may restart
   * the machine.
   * @default ["kill"]
   * @example ["kill", "restart"]
   */
  allow?: AppAction[];
  // Registration limits and rules
  /**
   * Let a registration name a process of one of sup's own jobs (its pid,
   * process group or session) for action "kill" or "restart". Off, apps
   * cannot have sup kill what it supervises.
   * @default false
   */
  allowJobs?: boolean;
  /**
   * Most registrations one local user (the owner of the client's socket)
   * may hold at once; further ones are refused with HTTP 429. Clients whose
   * user cannot be told share one allowance.
   * @default 64
   */
  maxPerUser?: number;
  /**
   * A registration with action "none" that misses its refresh this many
   * times in a row is removed (`app.unregistered`), so abandoned ones do not
   * fill the registry.
   * @default 3
   */
  expireAfterMisses?: number;
}
