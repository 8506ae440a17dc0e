/**
 * The options of the `httpok` built-in listener, as users write them
 * (superlance httpok's flags under sup's names).
 *
 * @module
 */

import type { CommandConfig, Duration } from "./types.ts";

/** Options of `httpok({...})`: GET a URL every `interval`; restart the selected running jobs when it fails. */
export interface HttpokOptions {
  /** The URL to GET (`http:` or `https:`; redirects are not followed). @example "http://127.0.0.1:8080/" */
  url: string;
  /**
   * The jobs to restart when the GET fails (superlance's `-p`): job names,
   * `"group:<name>"` or `"*"`. Give this or `any`.
   * @example ["web", "group:api"]
   */
  jobs?: string | string[];
  /** Restart every running job when the GET fails (superlance's `-a`; the same as `jobs: "*"`). @default false */
  any?: boolean;
  /** How long to wait for the answer (superlance's `-t`). @default "10s" */
  timeout?: Duration;
  /** The status codes that pass (superlance's `-c`). @default 200 */
  status?: number | number[];
  /** Text the answer's body must contain (superlance's `-b`; the first 1 MB is read). @default not checked */
  body?: string;
  /** Headers sent with the GET. @default none */
  headers?: Record<string, string>;
  /** GET even when none of the selected jobs is running (superlance's `-e`/`-E`). @default true */
  eager?: boolean;
  /**
   * Before restarting a hung job, dump a core of its process into this
   * folder (relative to the config file) with `gcore` (superlance's `-d`);
   * gcore's output goes into the notification.
   * @default no core dumps
   * @example "/var/crash/sup"
   */
  coreDir?: string;
  /**
   * The gcore command (superlance's `-g`); sup appends the core file's
   * prefix (`<coreDir>/<job>`) and the pid. Debian: package `gdb`.
   * @default ["gcore", "-o"]
   */
  gcore?: CommandConfig;
  /** Send a notification (mail, webhooks) when it restarts jobs (superlance's `-m`). @default true */
  notify?: boolean;
  /**
   * Its name, in logs, the reasons of its restarts and its notifications'
   * subjects (`httpok [name]: ...`; superlance's `-n`).
   * @default "httpok"
   */
  name?: string;
  /**
   * Time from one GET to the next (superlance listens to TICK_60). A job
   * whose process has run less than this is not restarted yet (it gets one
   * interval to start answering).
   * @default "60s"
   */
  interval?: Duration;
}

/** An `httpok` listener's descriptor (plain data: `httpok({...})` makes it; TOML/JSON write it). */
export interface HttpokListener extends HttpokOptions {
  /** The built-in listener's kind. */
  kind: "httpok";
}
