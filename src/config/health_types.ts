/**
 * The `health` option of a job, as users write it: one check (HTTP, TCP or a
 * command) run every `interval`, and what sup does when it keeps failing.
 *
 * @module
 */

import type { CommandConfig, Duration } from "./types.ts";

/** What sup does to a job whose health check failed `failures` times in a row. */
export type HealthAction = "restart" | "kill" | "reboot" | "none";

/** An HTTP health check: a GET that must answer an expected status (and body text). */
export interface HealthHttpCheck {
  /**
   * The URL to GET (`http:` or `https:`). Redirects are not followed: a 3xx
   * answer is judged by its own status.
   * @example "http://127.0.0.1:8080/healthz"
   */
  url: string;
  /**
   * The status codes that pass (superlance httpok's `-c`).
   * @default any 2xx or 3xx
   * @example [200, 204]
   */
  status?: number | number[];
  /** Text the response body must contain (the first 1 MB is read). @default not checked */
  body?: string;
  /** Headers sent with the request. @default none @example { Authorization: "Bearer x" } */
  headers?: Record<string, string>;
}

/** A TCP health check: passes when a connection to the port opens. */
export interface HealthTcpCheck {
  /** The address to connect to. @default "127.0.0.1" */
  host?: string;
  /** The port, 1-65535. */
  port: number;
}

/** A command health check: passes when the command exits with code 0. */
export interface HealthExecCheck {
  /**
   * The command, run with the job's directory, environment and user, in a
   * process group of its own (killed when it runs past `timeout`). Split
   * like a job's `cmd`; write `["sh", "-c", "..."]` for a shell.
   * @example ["pg_isready", "-h", "127.0.0.1"]
   */
  cmd: CommandConfig;
}

/**
 * A job's health check (exactly one of `http`, `tcp`, `exec`). The job is
 * ready after its first passing check (which releases jobs waiting on it
 * with `after`), and `action` is taken after `failures` failing checks in a
 * row. Checks never overlap; a check still running at `timeout` fails.
 * @example { http: { url: "http://127.0.0.1:8080/healthz" }, interval: "10s", failures: 3 }
 */
export interface HealthConfig {
  /** GET a URL: passes on an expected status and, when set, body text. */
  http?: HealthHttpCheck;
  /** Connect to a TCP port: passes when the connection opens. */
  tcp?: HealthTcpCheck;
  /** Run a command: passes when it exits 0. */
  exec?: HealthExecCheck;
  /** Time from the start of one check to the start of the next. @default "10s" */
  interval?: Duration;
  /** A check that has not passed within this long fails. @default "5s" */
  timeout?: Duration;
  /** Failing checks in a row that make sup take `action`. @default 3 */
  failures?: number;
  /**
   * Time after the spawn during which failing checks do not count (the job
   * is starting up). Until its first pass in this period the job is checked
   * sooner than `interval` (after 100 ms, then twice as long each time, at
   * most every second), so it becomes ready soon after it can answer.
   * @default "30s"
   */
  startPeriod?: Duration;
  /** What to do after `failures` failing checks in a row; "none" only reports them. @default "restart" */
  action?: HealthAction;
}
