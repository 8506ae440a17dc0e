/**
 * The JSON the control routes (`/api/control/...`, served on the control
 * socket and over TCP) answer with, shared by the routes (`web/`) and the
 * CLI's client (`control/`). Plain types only.
 *
 * @module
 */

import type { JobStatus } from "./api.ts";
import type { ActionReason } from "./events.ts";

/** `GET /api/control/info`: which sup this is. */
export interface SupInfo {
  /** `network.name`, or the name derived from the config path. */
  name: string;
  pid: number;
  /** Absolute path of the config it runs. */
  config: string;
  /** Modes applied. */
  modes: string[];
  /** sup's version. */
  version: string;
  /** When sup started (ms since the epoch). */
  startedAt: number;
  /** Its control socket, or null when it has none. */
  socket: string | null;
  /** Its runtime state file (its lock is `<state>.lock`). */
  stateFile: string;
  /** Number of jobs. */
  jobs: number;
}

/** One job's row of `sup status`: its status and what /proc and the probes add. */
export interface StatusRow extends JobStatus {
  /** Resident memory of the job's process group (bytes), or null without a process. */
  rssBytes: number | null;
  /**
   * CPU use of the job's process group in percent of one core: since the
   * previous status request (within a minute), else since the process started.
   */
  cpuPercent: number | null;
  /** When the last heartbeat of the current run arrived (ms since the epoch), or null. */
  lastHeartbeatAt: number | null;
  /** The last health check result seen (`health.failed` / `health.recovered`), or null. */
  health: { ok: boolean; at: number; reason: string | null } | null;
}

/** `GET /api/control/status`. */
export interface StatusReport {
  sup: SupInfo;
  /** Rows of the jobs asked for, in config order. */
  jobs: StatusRow[];
  /** When the report was made (ms since the epoch). */
  at: number;
}

/** What a job action did to one job. */
export interface JobActionResult {
  job: string;
  /** True when the job is now as asked. */
  ok: boolean;
  /** What happened, in words: "started (pid 123)", "already stopped", "disabled"... */
  message: string;
  /** The job's pid after the action, or null. */
  pid: number | null;
  /** Its state after the action. */
  state: JobStatus["state"];
}

/** `POST /api/control/jobs/:action`. */
export interface JobActionReport {
  action: string;
  results: JobActionResult[];
}

/** An error answer of any control route. */
export interface ControlErrorBody {
  error: string;
  /** Every problem, when there are several (unknown jobs, config errors). */
  problems?: string[];
}

/** `POST /api/control/reload`. */
export type ReloadReport =
  | {
    ok: true;
    added: string[];
    removed: string[];
    changed: string[];
    /** Other top-level sections whose settings changed (e.g. "network", "logging"). */
    sections: string[];
    config: string;
    /**
     * When this reload changed nothing: the last one that did (sup reloads
     * an edited config by itself, often before `sup reload` is typed).
     */
    previous: { at: number; added: string[]; removed: string[]; changed: string[] } | null;
  }
  | {
    ok: false;
    /** The config file the errors are about. */
    config: string;
    /** Every problem, as `path: message`. */
    errors: string[];
  };

/** `POST /api/control/rotate`. */
export interface RotateReport {
  /** Files sup writes (its log and jobs' output) that were rotated or reopened. */
  files: string[];
}

/** `POST /api/control/shutdown`: sup stops every job and exits after this answer. */
export interface ShutdownReport {
  pid: number;
  /** Start time of sup's process (clock ticks since boot), to tell a reused pid apart. */
  startTime: number | null;
  /** Jobs that had a process when the shutdown began. */
  running: string[];
  /** The longest kill timeout among the jobs (ms): how long the stop may take at most. */
  killTimeoutMs: number;
}

/** The reason a control route gives the supervisor. */
export function controlReason(command: string): ActionReason {
  return { source: "manual", detail: command };
}
