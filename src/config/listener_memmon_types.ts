/**
 * The options of the `memmon` built-in listener, as users write them
 * (superlance memmon's flags under sup's names).
 *
 * @module
 */

import type { Duration, Size } from "./types.ts";

/**
 * Options of `memmon({...})`: every `interval`, restart each running job
 * whose resident memory (RSS) is over its limit.
 */
export interface MemmonOptions {
  /**
   * Limits by job selector (superlance's `-p`, `-g`, `-a`): a job's name,
   * `"group:<name>"` or `"*"`. A job's own name wins over its groups, a
   * group over `"*"`; of two groups, the smaller limit.
   * @example { web: "200MB", "group:workers": "500MB", "*": "1GB" }
   */
  limits: Record<string, Size>;
  /**
   * Count the job's whole process tree (its process, every process
   * descended from it, and its process group) instead of its own process
   * only (superlance's `-c`).
   * @default false
   */
  cumulative?: boolean;
  /** Time between two checks (superlance listens to TICK_60). @default "60s" */
  interval?: Duration;
  /** Send a notification (mail, webhooks) when it restarts a job (superlance's `-m`). @default true */
  notify?: boolean;
  /**
   * Notify only when the restarted run had been up at most this long
   * (superlance's `-u`: to hear only of jobs that leak quickly).
   * @default every restart is notified
   * @example "1h"
   */
  uptimeLimit?: Duration;
  /**
   * Its name, in logs, the reasons of its restarts and its notifications'
   * subjects (`memmon [name]: ...`; superlance's `-n`).
   * @default "memmon"
   */
  name?: string;
}

/** A `memmon` listener's descriptor (plain data: `memmon({...})` makes it; TOML/JSON write it). */
export interface MemmonListener extends MemmonOptions {
  /** The built-in listener's kind. */
  kind: "memmon";
}
