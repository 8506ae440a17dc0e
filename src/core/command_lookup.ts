/**
 * Finding a job's command before it is spawned: PATH resolution (with a
 * cache, so a hit costs one stat instead of one per PATH entry), the checks
 * of a path given with a slash, and, for a job that runs as another user,
 * the permission walk the kernel would otherwise refuse only after `setsid`
 * started. Pure apart from the `stat` it is given, so the rules are tested
 * with a fake file system; the answer is a typed `CommandLookup`, never text.
 *
 * @module
 */

/** What a lookup needs to know about a path (a subset of `Deno.FileInfo`). */
export type PathFacts = Pick<Deno.FileInfo, "isFile" | "isDirectory" | "mode" | "uid" | "gid">;

/** Stats `path` (following links); null when it does not exist or cannot be read. */
export type StatPath = (path: string) => PathFacts | null;

/** The user a job runs as, when it is not sup's own. */
export interface RunAs {
  uid: number;
  gid: number | null;
}

/** Why a command cannot be started, found before spawning. */
export type LookupFailure =
  /** `command` (as the job wrote it) is not on PATH or not at its path. */
  | { reason: "notFound"; command: string }
  /** The job's working directory does not exist. */
  | { reason: "dirMissing"; dir: string }
  /** `command` names a directory. */
  | { reason: "isDirectory"; command: string }
  /** `command` has no execute bit. */
  | { reason: "notExecutable"; command: string }
  /** `uid` may not enter the working directory `dir`: search permission is missing on `at`. */
  | { reason: "dirDenied"; dir: string; uid: number; at: string }
  /** `uid` may not reach `command` (its absolute path): search permission is missing on `at`. */
  | { reason: "pathDenied"; command: string; uid: number; at: string }
  /** `uid` may not execute `command` (its absolute path). */
  | { reason: "notExecutableBy"; command: string; uid: number };

/** A command's absolute path, or why there is none. */
export type CommandLookup = { reason: "found"; path: string } | LookupFailure;

/** PATH used when a job's environment has none. */
const DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";
/** Cache entries kept before the cache is emptied (PATHs × commands). */
const CACHE_LIMIT = 1000;

/**
 * Resolves commands against PATH and checks them, through `stat`. One
 * instance per process keeps its PATH cache warm across spawns.
 */
export class CommandLookups {
  readonly #stat: StatPath;
  /** Where commands were last found, by PATH and name. */
  readonly #found = new Map<string, string>();

  /** @param stat the file system (Deno.statSync in sup, a fake in tests) */
  constructor(stat: StatPath) {
    this.#stat = stat;
  }

  /**
   * The absolute path of `command` (argv[0]) for a job working in `dir`: a
   * bare name is searched on `path` (the job's PATH), one with a slash is
   * taken relative to `dir`.
   */
  resolve(command: string, dir: string, path: string | undefined): CommandLookup {
    if (!command.includes("/")) {
      const found = this.onPath(command, path);
      if (found !== null) return { reason: "found", path: found };
      if (!this.#isDir(dir)) return { reason: "dirMissing", dir };
      return { reason: "notFound", command };
    }
    const resolved = command.startsWith("/") ? command : `${dir}/${command}`;
    const info = this.#stat(resolved);
    if (info === null) {
      return this.#isDir(dir) ? { reason: "notFound", command } : { reason: "dirMissing", dir };
    }
    if (info.isDirectory) return { reason: "isDirectory", command };
    if (((info.mode ?? 0o755) & 0o111) === 0) return { reason: "notExecutable", command };
    return { reason: "found", path: resolved };
  }

  /**
   * For a job that runs as `who` (not root): whether that user may enter
   * `dir`, reach `command` (absolute) and execute it; null when it may.
   */
  checkAccess(dir: string, command: string, who: RunAs): LookupFailure | null {
    if (who.uid === 0) return null;
    const dirBlock = this.#searchBlockedAt(`${dir}/`, who);
    if (dirBlock !== null) return { reason: "dirDenied", dir, uid: who.uid, at: dirBlock };
    const fileBlock = this.#searchBlockedAt(command, who);
    if (fileBlock !== null) {
      return { reason: "pathDenied", command, uid: who.uid, at: fileBlock };
    }
    const info = this.#stat(command);
    if (info && !allows(info, who, 0o1)) {
      return { reason: "notExecutableBy", command, uid: who.uid };
    }
    return null;
  }

  /**
   * The first executable file named `command` in the directories of `path`
   * (colon-separated), or null. A cached hit is re-checked with one stat.
   */
  onPath(command: string, path: string | undefined): string | null {
    const key = `${path}\0${command}`;
    const cached = this.#found.get(key);
    if (cached !== undefined && this.#isExecutableFile(cached)) return cached;
    this.#found.delete(key);
    for (const dir of (path ?? DEFAULT_PATH).split(":")) {
      if (dir === "") continue;
      const candidate = `${dir}/${command}`;
      if (this.#isExecutableFile(candidate)) {
        if (this.#found.size > CACHE_LIMIT) this.#found.clear();
        this.#found.set(key, candidate);
        return candidate;
      }
    }
    return null;
  }

  /** Whether `path` is an existing directory. */
  isDir(path: string): boolean {
    return this.#isDir(path);
  }

  #isDir(path: string): boolean {
    return this.#stat(path)?.isDirectory ?? false;
  }

  #isExecutableFile(path: string): boolean {
    const info = this.#stat(path);
    return info !== null && info.isFile && ((info.mode ?? 0o755) & 0o111) !== 0;
  }

  /** The first directory on the way to `path` that `who` may not search, or null. */
  #searchBlockedAt(path: string, who: RunAs): string | null {
    let dir = "";
    for (const part of ["", ...path.split("/").slice(1, -1).filter(Boolean)]) {
      dir = `${dir}/${part}`.replace("//", "/");
      const info = this.#stat(dir);
      if (info === null) return null; // a missing directory is reported elsewhere
      if (!allows(info, who, 0o1)) return dir;
    }
    return null;
  }
}

/** Whether the owner/group/other bits of `info` grant `bit` (1 = x) to `who`. */
function allows(info: PathFacts, who: RunAs, bit: number): boolean {
  const mode = info.mode ?? 0o777;
  if (info.uid === who.uid) return ((mode >> 6) & bit) !== 0;
  if (who.gid !== null && info.gid === who.gid) return ((mode >> 3) & bit) !== 0;
  return (mode & bit) !== 0;
}
