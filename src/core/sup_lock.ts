/**
 * The lock that says "a sup runs this config": an exclusive `flock` on a
 * lock file next to the runtime state file, held as long as sup lives. The
 * kernel drops it when sup's process ends, however it ends (SIGKILL, a crash,
 * or a zombie that its parent has not reaped yet), so a pid that still shows
 * in /proc never blocks the next sup. Jobs do not inherit it: Deno opens
 * files close-on-exec.
 *
 * @module
 */

/** Another sup holds the lock of the same config. */
export class SupAlreadyRunningError extends Error {
  /** Always "SupAlreadyRunningError". */
  override name = "SupAlreadyRunningError";
  /** @param pid the other sup's pid, when it wrote it to the lock file */
  constructor(readonly pid: number | null, config: string, readonly lockFile: string) {
    const who = pid === null ? "Another sup" : `Another sup (pid ${pid})`;
    super(`${who} is already running config "${config}" (it holds the lock "${lockFile}")`);
  }
}

/** The lock file of the state file `statePath`. */
export function lockFilePath(statePath: string): string {
  return `${statePath}.lock`;
}

/** A held lock; `release()` gives it up (process exit does too). */
export class SupLock {
  /** The lock file. */
  readonly path: string;
  #file: Deno.FsFile | null;

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  /**
   * Takes the lock of `config` at `path` without waiting, and writes this
   * process's pid into the file. Throws `SupAlreadyRunningError` when another
   * live process holds it.
   */
  static acquire(path: string, config: string): SupLock {
    const file = Deno.openSync(path, { read: true, write: true, create: true, mode: 0o600 });
    let locked = false;
    try {
      locked = file.tryLockSync(true);
    } catch (error) {
      file.close();
      throw error;
    }
    if (!locked) {
      file.close();
      throw new SupAlreadyRunningError(readPid(path), config, path);
    }
    file.truncateSync(0);
    file.writeSync(new TextEncoder().encode(`${Deno.pid}\n`));
    return new SupLock(path, file);
  }

  /** Gives the lock up (idempotent). */
  release(): void {
    const file = this.#file;
    this.#file = null;
    if (file === null) return;
    try {
      file.unlockSync();
    } finally {
      file.close();
    }
  }
}

function readPid(path: string): number | null {
  try {
    const pid = Number.parseInt(Deno.readTextFileSync(path).trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
