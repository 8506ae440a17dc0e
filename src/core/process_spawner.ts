/**
 * The thin OS adapter that starts and signals jobs' processes: argv without
 * a shell, working directory, environment, uid/gid, ulimits through
 * util-linux `prlimit`, stdin from a file, and a session and process group
 * of its own per job (`detached: true`). Errors come back as `SpawnError`s
 * whose message says what is wrong in words an operator can act on.
 *
 * @module
 */

import type { ResolvedJob } from "../config/resolved.ts";
import type { LimitValue } from "../config/types.ts";

/** A job's process could not be started; the message says why. */
export class SpawnError extends Error {
  override name = "SpawnError";
  /** @param job the job's name */
  constructor(readonly job: string, detail: string, options?: ErrorOptions) {
    super(`Cannot start job "${job}": ${detail}`, options);
  }
}

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

const PRLIMIT_FLAGS = {
  nofile: "nofile",
  nproc: "nproc",
  core: "core",
  memlock: "memlock",
  stack: "stack",
};

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
  const command = resolveCommand(spec);
  checkAccess(spec, command);
  const jobArgv = [command, ...spec.argv.slice(1)];
  const argv = [...prefix(spec), ...jobArgv];
  const env = { ...spec.env, SUP_JOB: spec.name };
  let stdinFile: Deno.FsFile | null = null;
  if (spec.stdin !== null) {
    try {
      stdinFile = Deno.openSync(spec.stdin, { read: true });
    } catch (error) {
      throw new SpawnError(
        spec.name,
        `stdin file "${spec.stdin}" cannot be read (${describe(error)})`,
        {
          cause: error,
        },
      );
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
      detached: setsidPath() === null,
    }).spawn();
  } catch (error) {
    stdinFile?.close();
    throw explainSpawnError(spec, spec.argv[0], error);
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
  if (code !== 126 && code !== 127) return null;
  const match = /^(?:setsid|prlimit): failed to execute (.+?): (.+)$/.exec(stderrTail.at(-1) ?? "");
  if (!match) return null;
  return new SpawnError(job, `command "${match[1]}" cannot be executed (${match[2]})`).message;
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
    setsid = findOnPath("setsid", "/usr/bin:/bin:/usr/sbin:/sbin:" + (Deno.env.get("PATH") ?? ""));
  }
  return setsid;
}

/** `setsid` and `prlimit --<limit>=N:N ... --`, as the job needs them. */
function prefix(spec: SpawnSpec): string[] {
  const out: string[] = [];
  const session = setsidPath();
  if (session !== null) out.push(session);
  const flags: string[] = [];
  for (const [key, flag] of Object.entries(PRLIMIT_FLAGS)) {
    const value = spec.ulimit[key as keyof typeof PRLIMIT_FLAGS];
    if (value !== null && value !== undefined) {
      flags.push(`--${flag}=${limit(value)}:${limit(value)}`);
    }
  }
  if (flags.length === 0) return out;
  const prlimit = findOnPath("prlimit", "/usr/bin:/bin:" + (Deno.env.get("PATH") ?? ""));
  if (prlimit === null) {
    throw new SpawnError(
      spec.name,
      `"ulimit" needs util-linux's "prlimit", which was not found on PATH ` +
        `(Debian/Ubuntu: apt install util-linux)`,
    );
  }
  out.push(prlimit, ...flags, "--");
  return out;
}

/** The command's absolute path; throws `SpawnError` when it is missing or not executable. */
function resolveCommand(spec: SpawnSpec): string {
  const command = spec.argv[0];
  if (!command.includes("/")) {
    const path = spec.clearEnv ? spec.env.PATH : spec.env.PATH ?? Deno.env.get("PATH");
    const resolved = findOnPath(command, path);
    if (resolved !== null) return resolved;
    if (!isDir(spec.dir)) throw new SpawnError(spec.name, `directory "${spec.dir}" does not exist`);
    throw new SpawnError(spec.name, `command "${command}" was not found`);
  }
  const resolved = resolvePath(spec.dir, command);
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(resolved);
  } catch {
    const what = isDir(spec.dir)
      ? `command "${command}" was not found`
      : `directory "${spec.dir}" does not exist`;
    throw new SpawnError(spec.name, what);
  }
  if (info.isDirectory) throw new SpawnError(spec.name, `command "${command}" is a directory`);
  if (((info.mode ?? 0o755) & 0o111) === 0) {
    throw new SpawnError(spec.name, `command "${command}" is not executable (permission denied)`);
  }
  return resolved;
}

/**
 * When the job runs as another user, checks what the kernel would refuse
 * only after `setsid` started (exit 126, a quick death): that user must be
 * able to enter `dir` and every directory on the way to the command, and to
 * execute the command.
 */
function checkAccess(spec: SpawnSpec, command: string): void {
  if (spec.uid === null || spec.uid === 0) return;
  const who = { uid: spec.uid, gid: spec.gid };
  const user = `user ${spec.uid}`;
  const blocked = (path: string) => searchBlockedAt(path, who);
  const dirBlock = blocked(`${spec.dir}/`);
  if (dirBlock !== null) {
    throw new SpawnError(
      spec.name,
      `directory "${spec.dir}" cannot be entered by ${user} (permission denied on "${dirBlock}")`,
    );
  }
  const fileBlock = blocked(command);
  if (fileBlock !== null) {
    throw new SpawnError(
      spec.name,
      `command "${command}" cannot be reached by ${user} (permission denied on "${fileBlock}")`,
    );
  }
  const info = statOrNull(command);
  if (info && !allows(info, who, 0o1)) {
    throw new SpawnError(
      spec.name,
      `command "${command}" is not executable by ${user} (permission denied)`,
    );
  }
}

/** The first directory on the way to `path` that `who` may not search, or null. */
function searchBlockedAt(path: string, who: { uid: number; gid: number | null }): string | null {
  let dir = "";
  for (const part of ["", ...path.split("/").slice(1, -1).filter(Boolean)]) {
    dir = `${dir}/${part}`.replace("//", "/");
    const info = statOrNull(dir);
    if (info === null) return null; // a missing directory is reported elsewhere
    if (!allows(info, who, 0o1)) return dir;
  }
  return null;
}

/** Whether the owner/group/other bits of `info` grant `bit` (1 = x) to `who`. */
function allows(
  info: Deno.FileInfo,
  who: { uid: number; gid: number | null },
  bit: number,
): boolean {
  const mode = info.mode ?? 0o777;
  if (info.uid === who.uid) return ((mode >> 6) & bit) !== 0;
  if (who.gid !== null && info.gid === who.gid) return ((mode >> 3) & bit) !== 0;
  return (mode & bit) !== 0;
}

function statOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch {
    return null;
  }
}

function limit(value: LimitValue): string {
  return value === "infinity" ? "unlimited" : String(value);
}

function explainSpawnError(spec: SpawnSpec, command: string, error: unknown): SpawnError {
  const dirMissing = !isDir(spec.dir);
  if (dirMissing) {
    return new SpawnError(spec.name, `directory "${spec.dir}" does not exist`, { cause: error });
  }
  if (error instanceof Deno.errors.NotFound) {
    return new SpawnError(spec.name, `command "${command}" was not found`, { cause: error });
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    const what = isDir(resolvePath(spec.dir, command)) ? "is a directory" : "is not executable";
    return new SpawnError(spec.name, `command "${command}" ${what} (permission denied)`, {
      cause: error,
    });
  }
  return new SpawnError(spec.name, describe(error), { cause: error });
}

/** Where commands were last found, by PATH and name: a hit costs one stat, not one per PATH entry. */
const found = new Map<string, string>();

function findOnPath(command: string, path: string | undefined): string | null {
  const key = `${path}\0${command}`;
  const cached = found.get(key);
  if (cached !== undefined && isExecutableFile(cached)) return cached;
  found.delete(key);
  for (const dir of (path ?? "/usr/local/bin:/usr/bin:/bin").split(":")) {
    if (dir === "") continue;
    const candidate = `${dir}/${command}`;
    if (isExecutableFile(candidate)) {
      if (found.size > 1000) found.clear();
      found.set(key, candidate);
      return candidate;
    }
  }
  return null;
}

function isExecutableFile(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0o755) & 0o111) !== 0;
  } catch {
    return false;
  }
}

function resolvePath(dir: string, path: string): string {
  return path.startsWith("/") ? path : `${dir}/${path}`;
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
