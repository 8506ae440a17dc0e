/**
 * The record of sup's last machine action, kept on disk for the reboot-loop
 * guard. It must outlive the reboot it records, so it is not the runtime
 * state file (that one lives in `/run` or `$XDG_RUNTIME_DIR`, which a reboot
 * empties): it goes to `$SUP_STATE_DIR`, `$XDG_STATE_HOME/sup`,
 * `/var/lib/sup`, `~/.local/state/sup`, or next to the config, whichever is
 * writable first. One file per config path, written atomically and synced
 * before the action's command runs.
 *
 * @module
 */

import type { ActionReason, MachineAction } from "./events.ts";
import { writableDir } from "./runtime_state.ts";
import { pathHash } from "../config/resolved_control.ts";

/** One machine action as recorded. */
export interface MachineActionRecord {
  action: MachineAction;
  /** When it was taken (ms since epoch). */
  at: number;
  reason: ActionReason;
  command: string[];
}

/** Where the last machine action is kept; `null` path: in memory only (tests, embedding). */
export class MachineRecord {
  #path: (() => string) | null;
  #resolved: string | null = null;
  #last: MachineActionRecord | null = null;
  #loaded = false;

  /** `path` is worked out at the first read or write (nothing is touched before an action). */
  constructor(path: string | (() => string) | null) {
    this.#path = typeof path === "string" ? () => path : path;
  }

  /** The file, once known (after the first `last()` or `save()`); null in memory. */
  get path(): string | null {
    return this.#resolved;
  }

  /** The last machine action taken, from the file the first time. */
  last(): MachineActionRecord | null {
    if (!this.#loaded) {
      this.#loaded = true;
      this.#last = this.#read();
    }
    return this.#last;
  }

  /**
   * Records `entry` (null: forget the last action) and, with a file, writes
   * it durably before returning: a reboot may follow at once. Returns the
   * write error, if any (the record in memory holds anyway).
   */
  save(entry: MachineActionRecord | null): string | null {
    this.#loaded = true;
    this.#last = entry;
    const path = this.#file();
    if (path === null) return null;
    const tmp = `${path}.${Deno.pid}.tmp`;
    try {
      const file = Deno.openSync(tmp, { write: true, create: true, truncate: true, mode: 0o600 });
      try {
        file.writeSync(
          new TextEncoder().encode(JSON.stringify({ version: 1, last: entry }) + "\n"),
        );
        file.syncSync();
      } finally {
        file.close();
      }
      Deno.renameSync(tmp, path);
      return null;
    } catch (error) {
      try {
        Deno.removeSync(tmp);
      } catch {
        // never written
      }
      return `Cannot write "${path}": ${error instanceof Error ? error.message : error}`;
    }
  }

  #file(): string | null {
    if (this.#path === null) return null;
    return this.#resolved ??= this.#path();
  }

  #read(): MachineActionRecord | null {
    const path = this.#file();
    if (path === null) return null;
    try {
      const data = JSON.parse(Deno.readTextFileSync(path));
      const last = data?.last;
      if (data?.version !== 1 || !last || typeof last.at !== "number") return null;
      if (last.action !== "reboot" && last.action !== "shutdown") return null;
      return {
        action: last.action,
        at: last.at,
        reason: last.reason ?? { source: "manual" },
        command: Array.isArray(last.command) ? last.command : [],
      };
    } catch {
      return null;
    }
  }
}

/** Where `machineRecordPath` looks (tests point these elsewhere). */
export interface MachineRecordDirs {
  /** Reads an environment variable. @default Deno.env.get */
  env?: (key: string) => string | undefined;
  /** The system-wide folder (root). @default "/var/lib/sup" */
  libDir?: string;
}

/** The record file of config `configPath`; see the module doc for the folders tried. */
export function machineRecordPath(configPath: string, options: MachineRecordDirs = {}): string {
  const base = configPath.split("/").pop() ?? "config";
  const name = `${base}-${pathHash(configPath)}.machine.json`;
  const read = options.env ?? ((key: string) => Deno.env.get(key));
  const env = (key: string) => read(key) || null;
  const stateHome = env("XDG_STATE_HOME");
  const home = env("HOME");
  const candidates = [
    env("SUP_STATE_DIR"),
    stateHome ? `${stateHome}/sup` : null,
    options.libDir ?? "/var/lib/sup",
    home ? `${home}/.local/state/sup` : null,
  ];
  for (const dir of candidates) {
    if (dir !== null && writableDir(dir)) return `${dir}/${name}`;
  }
  const configDir = configPath.slice(0, configPath.lastIndexOf("/")) || "/";
  return `${configDir}/.${base}.sup-machine.json`;
}
