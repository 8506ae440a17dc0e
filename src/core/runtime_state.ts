/**
 * The runtime state file: which process group each job runs in, so a sup
 * started after one that was killed (SIGKILL, power cut of the supervisor
 * alone) can end the groups it left before starting jobs again. Kept under
 * `$XDG_RUNTIME_DIR/sup`, else `/run/sup`, else next to the config file;
 * one file per config path. Writes are atomic (temporary file + rename) and
 * coalesced, off the spawn path.
 *
 * Extensible: `sections` holds other owners' data by name (e.g. "apps" for
 * self-registered apps), kept across writes.
 *
 * @module
 */

import { readProcStat } from "./proc_stat.ts";
import { pathHash } from "../config/resolved_control.ts";

/** One job's process group as recorded. */
export interface RuntimeJobRecord {
  pgid: number;
  /** Start time of the group leader (clock ticks since boot), to tell a reused pid apart. */
  startTime: number;
  killSignal: Deno.Signal;
  killTimeoutMs: number;
}

/** The file's content. */
export interface RuntimeStateData {
  version: 1;
  /** Absolute path of the config this sup runs. */
  config: string;
  supPid: number;
  supStartTime: number;
  jobs: Record<string, RuntimeJobRecord>;
  /** Data of other parts of sup, by section name (e.g. "apps"). */
  sections: Record<string, unknown>;
}

/** The state file of one config. */
export class RuntimeStateFile {
  /** Absolute path of the file. */
  readonly path: string;
  #data: RuntimeStateData;
  #scheduled = false;
  #writing: Promise<void> | null = null;
  #dirty = false;
  #pendingStart = new Map<string, Omit<RuntimeJobRecord, "startTime">>();

  /** @param path the file; see `stateFilePath` for the usual choice */
  constructor(path: string, config: string) {
    this.path = path;
    this.#data = {
      version: 1,
      config,
      supPid: Deno.pid,
      supStartTime: readProcStat(Deno.pid)?.startTime ?? 0,
      jobs: {},
      sections: {},
    };
  }

  /** Reads what a previous sup left (null when there is no file or it is unreadable). */
  readPrevious(): RuntimeStateData | null {
    try {
      const data = JSON.parse(Deno.readTextFileSync(this.path)) as RuntimeStateData;
      if (data?.version !== 1 || typeof data.jobs !== "object") return null;
      this.#data.sections = data.sections ?? {};
      return data;
    } catch {
      return null;
    }
  }

  /** Records that job `name` now runs in group `pgid` (written soon, off this tick). */
  setJob(name: string, record: Omit<RuntimeJobRecord, "startTime">): void {
    this.#pendingStart.set(name, record);
    this.#schedule();
  }

  /** Forgets job `name`'s group (it has ended). */
  deleteJob(name: string): void {
    this.#pendingStart.delete(name);
    if (!(name in this.#data.jobs)) return;
    delete this.#data.jobs[name];
    this.#schedule();
  }

  /** Another part of sup's data, by section name. */
  section(name: string): unknown {
    return this.#data.sections[name];
  }

  /** Replaces a section (written soon). */
  setSection(name: string, value: unknown): void {
    this.#data.sections[name] = value;
    this.#schedule();
  }

  /** Resolves when everything recorded so far is on disk. */
  async flush(): Promise<void> {
    while (this.#scheduled || this.#writing || this.#dirty) {
      if (this.#writing) await this.#writing;
      else await this.#write();
    }
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setTimeout(() => {
      if (this.#scheduled) void this.#write();
    }, 0);
  }

  #write(): Promise<void> {
    this.#scheduled = false;
    if (this.#writing) {
      this.#dirty = true;
      return this.#writing;
    }
    this.#dirty = false;
    for (const [name, record] of this.#pendingStart) {
      const stat = readProcStat(record.pgid);
      if (stat) this.#data.jobs[name] = { ...record, startTime: stat.startTime };
      else delete this.#data.jobs[name];
    }
    this.#pendingStart.clear();
    const text = JSON.stringify(this.#data, null, 2);
    const tmp = `${this.path}.${Deno.pid}.tmp`;
    this.#writing = Deno.writeTextFile(tmp, text, { mode: 0o600 })
      .then(() => Deno.rename(tmp, this.path))
      .catch((error) => console.error(`Cannot write runtime state file "${this.path}":`, error))
      .finally(() => {
        this.#writing = null;
        if (this.#dirty) void this.#write();
      });
    return this.#writing;
  }
}

/** Where `stateFilePath` looks (tests point these elsewhere). */
export interface StateDirOptions {
  /** Reads an environment variable. @default Deno.env.get */
  env?: (key: string) => string | undefined;
  /** The system-wide directory. @default "/run/sup" */
  runDir?: string;
}

/**
 * Where the state file of config `configPath` lives: `$SUP_STATE_DIR`,
 * `$XDG_RUNTIME_DIR/sup`, `/run/sup`, or next to the config, whichever is
 * writable first.
 */
export function stateFilePath(configPath: string, options: StateDirOptions = {}): string {
  const base = configPath.split("/").pop() ?? "config";
  const name = `${base}-${pathHash(configPath)}.json`;
  for (const dir of stateFolders(options)) {
    if (writableDir(dir)) return `${dir}/${name}`;
  }
  const configDir = configPath.slice(0, configPath.lastIndexOf("/")) || "/";
  return `${configDir}/.${base}.sup-state.json`;
}

/**
 * The folders runtime files (state, lock, token, control socket) may be
 * in, in order of preference: `$SUP_STATE_DIR`, `$XDG_RUNTIME_DIR/sup`,
 * `/run/sup` (the CLI looks for sockets in each).
 */
export function stateFolders(options: StateDirOptions = {}): string[] {
  const read = options.env ?? ((key: string) => Deno.env.get(key));
  const env = (key: string) => read(key) || null;
  const xdg = env("XDG_RUNTIME_DIR");
  const candidates = [
    env("SUP_STATE_DIR"),
    xdg ? `${xdg}/sup` : null,
    options.runDir ?? "/run/sup",
  ];
  return [...new Set(candidates.filter((dir): dir is string => dir !== null))];
}

/** True when `dir` exists (created 0700 if missing) and sup can create files in it. */
export function writableDir(dir: string): boolean {
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const probe = Deno.makeTempFileSync({ dir, prefix: ".probe" });
    Deno.removeSync(probe);
    return true;
  } catch {
    return false;
  }
}
