/**
 * `depends`: restarts a job when the content of one of its files changes
 * (pmtr's `depends`). Content, not mtime: a SHA-256 of each file is kept and
 * compared, so a `touch` or a save without change restarts nothing. A file
 * that appears or disappears counts as a change.
 *
 * The parent directories are watched (`Deno.watchFs`), not the files, so an
 * editor that saves by writing a new file and renaming it over the old one
 * is seen; a missing directory is watched through its nearest existing
 * ancestor until it appears. Bursts of events are checked once, after
 * `debounceMs` of quiet (at most 1 s after the first).
 *
 * @module
 */

import { dirname } from "node:path";
import { getLogger } from "@logtape/logtape";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import { type Clock, realClock, type TimerHandle } from "../core/clock.ts";
import { mayRestart, requestAction } from "./probe_action.ts";
import { DirWatchers } from "./dir_watchers.ts";

/** Options of `DependsProbe`. */
export interface DependsOptions {
  /** Quiet time after the last file event before files are checked. @default 100 */
  debounceMs?: number;
  /** Called after each check with the files checked and those whose content changed (tests, debugging). */
  onCheck?: (checked: string[], changed: string[]) => void;
}

/** Longest wait for quiet before checking anyway. */
const MAX_DEBOUNCE_MS = 1000;

/** A file's content fingerprint; null when it is missing. */
type Fingerprint = string | null;

/** Watches the jobs' `depends` files; see the module doc. */
export class DependsProbe {
  #api: SupervisorApi;
  #clock: Clock;
  #debounceMs: number;
  #onCheck: DependsOptions["onCheck"];
  /** Jobs by file. */
  #jobs = new Map<string, string[]>();
  #fingerprints = new Map<string, Promise<Fingerprint>>();
  #watchers: DirWatchers;
  #dirty = new Set<string>();
  #timer: TimerHandle | null = null;
  #firstDirtyAt = 0;
  /** Checks and watcher updates, one after another. */
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  /** Watches nothing until `apply`. */
  constructor(api: SupervisorApi, clock: Clock = realClock, options: DependsOptions = {}) {
    this.#api = api;
    this.#clock = clock;
    this.#debounceMs = options.debounceMs ?? 100;
    this.#onCheck = options.onCheck;
    this.#watchers = new DirWatchers((paths) => this.#onEvent(paths), (error) => this.#warn(error));
  }

  /** Takes the `depends` lists of `config`: new files are fingerprinted and watched, dropped ones forgotten. */
  apply(config: ResolvedConfig): void {
    if (this.#closed) return;
    const jobs = new Map<string, string[]>();
    for (const job of config.jobs) {
      for (const file of new Set(job.depends)) jobs.set(file, [...jobs.get(file) ?? [], job.name]);
    }
    for (const file of this.#fingerprints.keys()) {
      if (!jobs.has(file)) this.#fingerprints.delete(file);
    }
    for (const file of jobs.keys()) {
      if (!this.#fingerprints.has(file)) this.#fingerprints.set(file, fingerprint(file));
    }
    this.#jobs = jobs;
    this.#syncWatchers();
  }

  /** Stops watching; a check in progress finishes without acting. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#watchers.close();
    await this.#chain;
  }

  /** Resolves when the files known now are fingerprinted and their directories watched (tests). */
  async ready(): Promise<void> {
    await Promise.all(this.#fingerprints.values());
    await this.#chain;
  }

  /** Directories watched now (tests). */
  watchedDirs(): string[] {
    return this.#watchers.dirs();
  }

  #onEvent(paths: string[]): void {
    for (const file of this.#jobs.keys()) {
      if (paths.some((p) => file === p || file.startsWith(p + "/"))) this.#dirty.add(file);
    }
    if (this.#dirty.size === 0 || this.#closed) return;
    const now = this.#clock.now();
    if (this.#timer === null) this.#firstDirtyAt = now;
    else this.#clock.clearTimeout(this.#timer);
    const wait = Math.min(
      this.#debounceMs,
      Math.max(0, this.#firstDirtyAt + MAX_DEBOUNCE_MS - now),
    );
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#chain = this.#chain.then(() => this.#check()).catch((error) => this.#warn(error));
    }, wait);
  }

  /** Fingerprints the dirty files again and restarts the jobs of those that changed. */
  async #check(): Promise<void> {
    const files = [...this.#dirty];
    this.#dirty.clear();
    const changedFiles: string[] = [];
    const changed = new Map<string, string>(); // job -> first changed file
    for (const file of files) {
      const before = this.#fingerprints.get(file);
      if (before === undefined) continue; // dropped from the config meanwhile
      const after = fingerprint(file);
      this.#fingerprints.set(file, after);
      if ((await before) === (await after)) continue;
      changedFiles.push(file);
      for (const job of this.#jobs.get(file) ?? []) if (!changed.has(job)) changed.set(job, file);
    }
    if (this.#closed) return;
    for (const [job, file] of changed) {
      if (!mayRestart(this.#api, job)) continue;
      requestAction(this.#api, "restart", job, {
        source: "depends",
        detail: `file "${file}" changed`,
      });
    }
    await this.#watchDirs();
    this.#onCheck?.(files, changedFiles);
  }

  #syncWatchers(): void {
    this.#chain = this.#chain.then(() => this.#watchDirs()).catch((error) => this.#warn(error));
  }

  /** Watches the directory of every file, or its nearest existing ancestor. */
  async #watchDirs(): Promise<void> {
    const dirs = new Set<string>();
    for (const file of this.#jobs.keys()) dirs.add(await existingAncestor(dirname(file)));
    if (!this.#closed) this.#watchers.set(dirs);
  }

  #warn(error: unknown): void {
    getLogger(["sup", "probe", "depends"]).warn("Watching depends files failed: {error}", {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/** SHA-256 of a file's content (hex), null when it does not exist, a marker when it cannot be read. */
export async function fingerprint(path: string): Promise<Fingerprint> {
  let data: Uint8Array;
  try {
    data = await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    return `unreadable: ${error instanceof Error ? error.name : String(error)}`;
  }
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** `dir` if it is a directory, else its nearest ancestor that is. */
async function existingAncestor(dir: string): Promise<string> {
  for (let current = dir;; current = dirname(current)) {
    try {
      if ((await Deno.stat(current)).isDirectory) return current;
    } catch {
      // Missing (or unreadable): try the parent.
    }
    if (dirname(current) === current) return current;
  }
}
