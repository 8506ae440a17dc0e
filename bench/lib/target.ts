/**
 * What every supervisor under test (sup, supervisord, PM2) offers the
 * benchmarks: start a set of jobs, expose the supervisor's pid, stop it.
 *
 * @module
 */

import { monoMs, pollUntil, sleep } from "./clock.ts";
import { isAlive, signalIfOurs, trySignal } from "./proc.ts";
import type { PeerInfo } from "./peers.ts";

/** One job the benchmark wants supervised. */
export interface JobSpec {
  /** Job name (letters, digits, `-`). */
  name: string;
  /** argv, run without a shell. */
  cmd: string[];
  /** File that receives the job's stdout (appended, never rotated); unset discards stdout and stderr. */
  stdoutFile?: string;
  /** Run once and never restart (log throughput); otherwise restart at once after every exit. */
  once?: boolean;
  /** Uptime after which a death is not a quick death (minUptime / min_uptime). @default 1000 */
  minUptimeMs?: number;
}

/** A supervisor that can be started with a set of jobs. */
export interface Target {
  /** "sup", "supervisord" or "pm2". */
  name: string;
  /** Version as the program reports it. */
  version: string;
  /** Writes its config into `dir` and launches it. */
  start(dir: string, jobs: JobSpec[]): Promise<Running>;
}

/** What every target keeps: how to run it and the marker in its jobs' command lines. */
export abstract class TargetBase implements Target {
  abstract readonly name: string;
  readonly version: string;
  protected readonly info: PeerInfo;
  protected readonly marker: string;

  /** `info` says how to run the supervisor; `marker` is in every job's command line. */
  constructor(info: PeerInfo, marker: string) {
    this.info = info;
    this.version = info.version;
    this.marker = marker;
  }

  abstract start(dir: string, jobs: JobSpec[]): Promise<Running>;
}

/** A supervisor that was launched. */
export interface Running {
  /** `monoMs()` just before the launch command was spawned. */
  launchedAt: number;
  /** The supervisor process whose RSS and CPU are measured (PM2: its daemon). */
  pid: number;
  /**
   * Asks the supervisor to stop all jobs and exit, the way its service unit
   * does: SIGTERM (sup, supervisord: `docker stop`, systemd's default),
   * `pm2 kill` (the ExecStop of PM2's own systemd unit).
   */
  stop(): void;
  /**
   * Ends the supervisor for sure (SIGTERM, SIGKILL after a bound) and then any
   * of `jobPids` still alive (checked against the stamp helper's marker).
   */
  dispose(jobPids: Iterable<number>): Promise<void>;
}

/** A process the harness spawned, its output appended to a log file. */
export interface Spawned {
  /** The child process. */
  child: Deno.ChildProcess;
  /** `monoMs()` just before spawning. */
  launchedAt: number;
  /** Resolves when output is fully written to the log. */
  drained: Promise<void>;
}

/** Spawns `argv` with stdout and stderr appended to `logFile`, stdin closed. */
export function spawnLogged(
  argv: string[],
  opts: { cwd: string; env?: Record<string, string>; logFile: string },
): Spawned {
  const cmd = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: opts.cwd,
    env: opts.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
  const launchedAt = monoMs();
  const child = cmd.spawn();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const file = await Deno.open(opts.logFile, { write: true, create: true, append: true });
    await stream.pipeTo(file.writable).catch(() => {});
  };
  const drained = Promise.all([pump(child.stdout), pump(child.stderr)]).then(() => {});
  return { child, launchedAt, drained };
}

/** Waits until `pid` is gone (or a zombie); false after `timeoutMs`. */
export async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  try {
    await pollUntil(`pid ${pid} to exit`, () => (isAlive(pid) ? undefined : true), timeoutMs, 5);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends `pid` (SIGTERM, then SIGKILL after `graceMs`) and then every job pid
 * still alive whose command line contains `marker`.
 */
export async function endAll(
  pid: number,
  jobPids: Iterable<number>,
  marker: string,
  graceMs = 8000,
): Promise<void> {
  if (isAlive(pid)) {
    trySignal(pid, "SIGTERM");
    if (!(await waitGone(pid, graceMs))) trySignal(pid, "SIGKILL");
    await waitGone(pid, 2000);
  }
  const pids = [...jobPids];
  if (signalIfOurs(pids, marker, "SIGTERM").length > 0) {
    await sleep(200);
    signalIfOurs(pids, marker, "SIGKILL");
  }
}
