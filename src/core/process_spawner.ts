/**
 * The thin OS adapter that starts and signals jobs' processes: argv without
 * a shell, working directory, environment, uid/gid, stdin from a file, and a
 * session and process group of its own per job. The decisions live in pure
 * modules: `command_lookup.ts` (PATH, permissions), `wrapper_argv.ts`
 * (`setsid`, `prlimit`), `spawn_failure.ts` (what a failure means). Errors
 * come back as `SpawnError`s carrying a typed `SpawnFailure`, whose message
 * says what is wrong in words an operator can act on.
 *
 * @module
 */

import type { ResolvedJob } from "../config/resolved.ts";
import { CommandLookups, type StatPath } from "./command_lookup.ts";
import { SpawnError, type SpawnFailure, wrapperExecFailure } from "./spawn_failure.ts";
import { wrapArgv } from "./wrapper_argv.ts";

export { SpawnError, type SpawnFailure } from "./spawn_failure.ts";

/** How a process ended: exactly one of code or signal is set. */
export interface ProcessExit {
  code: number | null;
  signal: string | null;
}

/** A started process: its pid (also its process group id) and streams. */
export interface SpawnedProcess {
  pid: number;
  /** The job's argv, its command resolved to an absolute path (without the `setsid`/`prlimit` wrappers). */
  argv: string[];
  /** Resolves once, when the process ends. */
  exit: Promise<ProcessExit>;
  stdout: ReadableStream<Uint8Array> | null;
  stderr: ReadableStream<Uint8Array> | null;
}

/** What to spawn: a job's settings, or the same settings with another command (side commands). */
export type SpawnSpec =
  & Pick<
    ResolvedJob,
    "name" | "argv" | "dir" | "env" | "clearEnv" | "uid" | "gid" | "ulimit" | "stdin"
  >
  & {
    /** Pipe stdout to sup (true) or discard it. */
    pipeStdout: boolean;
    pipeStderr: boolean;
  };

/** Stats through the OS; null when the path is missing or unreadable. */
const statPath: StatPath = (path) => {
  try {
    return Deno.statSync(path);
  } catch {
    return null;
  }
};

/** This process's command lookups: one PATH cache shared by every spawn. */
const lookups = new CommandLookups(statPath);

/**
 * Starts `spec` in its own session and process group. Throws `SpawnError`.
 *
 * The new session comes from util-linux `setsid` in front of the command
 * when it is installed: Deno's `detached: true` makes the runtime fork its
 * whole (large) process, about 4 ms a spawn, where `setsid` costs one extra
 * exec (well under 1 ms). Because `setsid` and `prlimit` would only fail
 * after starting, the command is looked up here first, so a missing or
 * non-executable command is reported at once.
 */
export function spawnProcess(spec: SpawnSpec): SpawnedProcess {
  const command = spec.argv[0];
  const path = command.includes("/")
    ? undefined
    : spec.clearEnv
    ? spec.env.PATH
    : spec.env.PATH ?? Deno.env.get("PATH");
  const found = lookups.resolve(command, spec.dir, path);
  if (found.reason !== "found") throw new SpawnError(spec.name, found);
  if (spec.uid !== null) {
    const denied = lookups.checkAccess(spec.dir, found.path, { uid: spec.uid, gid: spec.gid });
    if (denied !== null) throw new SpawnError(spec.name, denied);
  }
  const jobArgv = [found.path, ...spec.argv.slice(1)];
  const session = setsidPath();
  const wrapped = wrapArgv(jobArgv, spec.ulimit, { setsid: session, findPrlimit });
  if (!wrapped.ok) throw new SpawnError(spec.name, { reason: "prlimitMissing" });
  const argv = wrapped.argv;
  const env = { ...spec.env, SUP_JOB: spec.name };
  let stdinFile: Deno.FsFile | null = null;
  if (spec.stdin !== null) {
    try {
      stdinFile = Deno.openSync(spec.stdin, { read: true });
    } catch (error) {
      const failure: SpawnFailure = {
        reason: "stdinUnreadable",
        file: spec.stdin,
        detail: describe(error),
      };
      throw new SpawnError(spec.name, failure, { cause: error });
    }
  }
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd: spec.dir,
      env,
      clearEnv: spec.clearEnv,
      uid: spec.uid ?? undefined,
      gid: spec.gid ?? undefined,
      stdin: stdinFile ? "piped" : "null",
      stdout: spec.pipeStdout ? "piped" : "null",
      stderr: spec.pipeStderr ? "piped" : "null",
      detached: session === null,
    }).spawn();
  } catch (error) {
    stdinFile?.close();
    throw new SpawnError(spec.name, explainSpawnError(spec, error), { cause: error });
  }
  if (stdinFile) stdinFile.readable.pipeTo(child.stdin).catch(() => {});
  return {
    pid: child.pid,
    argv: jobArgv,
    exit: child.status.then((s) => ({ code: s.signal ? null : s.code, signal: s.signal })),
    stdout: spec.pipeStdout ? child.stdout : null,
    stderr: spec.pipeStderr ? child.stderr : null,
  };
}

/**
 * The error of a `setsid`/`prlimit` wrapper that could not execute the job's
 * command (it exits 126 or 127 and says why on stderr), as a `SpawnError`
 * message; null for any other exit.
 */
export function wrapperExecError(
  job: string,
  code: number | null,
  stderrTail: string[],
): string | null {
  const failure = wrapperExecFailure(code, stderrTail);
  return failure === null ? null : new SpawnError(job, failure).message;
}

/**
 * Sends `signal` to the whole process group `pgid`; false when neither the
 * group nor the process exists. (A process spawned an instant ago may not
 * lead its group yet: then the signal goes to the process itself.)
 */
export function signalGroup(pgid: number, signal: Deno.Signal): boolean {
  try {
    Deno.kill(-pgid, signal);
    return true;
  } catch {
    try {
      Deno.kill(pgid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

let setsid: string | null | undefined;

/** util-linux `setsid`, looked up once; null when not installed. */
function setsidPath(): string | null {
  if (setsid === undefined) {
    setsid = lookups.onPath(
      "setsid",
      "/usr/bin:/bin:/usr/sbin:/sbin:" + (Deno.env.get("PATH") ?? ""),
    );
  }
  return setsid;
}

/** util-linux `prlimit` (a cached PATH lookup: one stat); null when not installed. */
function findPrlimit(): string | null {
  return lookups.onPath("prlimit", "/usr/bin:/bin:" + (Deno.env.get("PATH") ?? ""));
}

/** Why `Deno.Command` refused to spawn, once the lookup had found the command. */
function explainSpawnError(spec: SpawnSpec, error: unknown): SpawnFailure {
  const command = spec.argv[0];
  if (!lookups.isDir(spec.dir)) return { reason: "dirMissing", dir: spec.dir };
  if (error instanceof Deno.errors.NotFound) return { reason: "notFound", command };
  if (error instanceof Deno.errors.PermissionDenied) {
    const resolved = command.startsWith("/") ? command : `${spec.dir}/${command}`;
    return lookups.isDir(resolved)
      ? { reason: "isDirectory", command }
      : { reason: "notExecutable", command };
  }
  return { reason: "os", detail: describe(error) };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
