/**
 * `sup run --detach` (immortal's "unattached" strategy): sup starts in a
 * session of its own, its stdout and stderr appended to its output log, and
 * the command that started it returns once it answers (or fails with what
 * it printed). Also the pid file. The output log is rotated by sup itself
 * (`output_log.ts`).
 *
 * @module
 */

/** The files of a detached sup, beside its runtime state file. */
export interface DetachFiles {
  /** sup's output (its console log, and what Deno prints if it dies). */
  log: string;
  /** sup's pid, written once it is up and removed when it stops. */
  pid: string;
  /** The guardian's pid (`--guardian`). */
  guardianPid: string;
}

/** The files of the sup whose runtime state file is `statePath` ("x.json" → "x.log", "x.pid"). */
export function detachFiles(statePath: string): DetachFiles {
  const base = statePath.replace(/\.json$/, "");
  return { log: `${base}.log`, pid: `${base}.pid`, guardianPid: `${base}.guardian.pid` };
}

/**
 * Starts `argv` in a new session (it outlives this process and its
 * terminal), stdin from /dev/null, stdout and stderr appended to `log`
 * (created 0600 when missing). The child is not waited for by this process.
 */
export function spawnDetached(
  argv: string[],
  log: string,
  options: { cwd?: string; env?: Record<string, string> } = {},
): Deno.ChildProcess {
  Deno.writeFileSync(log, new Uint8Array(), { append: true, create: true, mode: 0o600 });
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", 'exec "$@" >>"$0" 2>&1', log, ...argv],
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  return child;
}

/** How waiting for a detached process ended. */
export type UpResult =
  | { ok: true }
  | { ok: false; reason: "exited"; status: Deno.CommandStatus }
  | { ok: false; reason: "timeout" };

/**
 * Waits until `ready()` says yes (polled every 50 ms), or `child` exits, or
 * `timeoutMs` passes, whichever is first.
 */
export async function waitUntilUp(
  child: Deno.ChildProcess,
  ready: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<UpResult> {
  let exited: Deno.CommandStatus | null = null;
  child.status.then((status) => exited = status, () => {});
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) return { ok: false, reason: "exited", status: exited };
    try {
      if (await ready()) return { ok: true };
    } catch {
      // Not answering yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return exited
    ? { ok: false, reason: "exited", status: exited }
    : { ok: false, reason: "timeout" };
}

/** The size of `path`, 0 when it does not exist. */
export function fileSize(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
}

/** The last `lines` lines written to `path` from byte `from` on (what a failed start printed). */
export function tailFrom(path: string, from: number, lines = 30): string[] {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch {
    return [];
  }
  const text = new TextDecoder().decode(bytes.subarray(from <= bytes.length ? from : 0));
  return text.split("\n").filter((line) => line.trim() !== "").slice(-lines);
}

/** The pid in a pid file, or null. */
export function readPidFile(path: string): number | null {
  try {
    const pid = Number.parseInt(Deno.readTextFileSync(path).trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Writes `pid` to `path` (mode 0644: anyone may read which process to signal). */
export function writePidFile(path: string, pid: number = Deno.pid): void {
  const tmp = `${path}.${pid}.tmp`;
  Deno.writeTextFileSync(tmp, `${pid}\n`, { mode: 0o644 });
  Deno.renameSync(tmp, path);
}

/** Removes the pid file if it still names `pid` (a newer process may have taken it over). */
export function removePidFile(path: string, pid: number = Deno.pid): void {
  if (readPidFile(path) !== pid) return;
  try {
    Deno.removeSync(path);
  } catch {
    // Already gone.
  }
}
