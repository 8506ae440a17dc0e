/**
 * A set of directory watchers (`Deno.watchFs`, not recursive) kept equal to
 * a wanted set of directories. Only changes are reported: `access` events
 * (a file being read, e.g. by the probe itself) are ignored.
 *
 * @module
 */

/** Watches directories; see the module doc. */
export class DirWatchers {
  #watchers = new Map<string, Deno.FsWatcher>();
  #onEvent: (paths: string[]) => void;
  #onError: (error: unknown) => void;

  /**
   * @param onEvent receives the paths of each change event
   * @param onError receives failures to watch (a directory that vanished while being added...)
   */
  constructor(onEvent: (paths: string[]) => void, onError: (error: unknown) => void) {
    this.#onEvent = onEvent;
    this.#onError = onError;
  }

  /** Directories watched now. */
  dirs(): string[] {
    return [...this.#watchers.keys()];
  }

  /** Watches exactly `dirs`: stops watching the others, starts on the new ones. */
  set(dirs: ReadonlySet<string>): void {
    for (const [dir, watcher] of this.#watchers) {
      if (dirs.has(dir)) continue;
      this.#watchers.delete(dir);
      closeQuietly(watcher);
    }
    for (const dir of dirs) {
      if (this.#watchers.has(dir)) continue;
      let watcher: Deno.FsWatcher;
      try {
        watcher = Deno.watchFs(dir, { recursive: false });
      } catch (error) {
        this.#onError(new Error(`Cannot watch directory "${dir}"`, { cause: error }));
        continue;
      }
      this.#watchers.set(dir, watcher);
      this.#pump(dir, watcher);
    }
  }

  /** Stops every watcher. */
  close(): void {
    for (const watcher of this.#watchers.values()) closeQuietly(watcher);
    this.#watchers.clear();
  }

  async #pump(dir: string, watcher: Deno.FsWatcher): Promise<void> {
    try {
      for await (const event of watcher) {
        if (event.kind !== "access") this.#onEvent(event.paths);
      }
    } catch (error) {
      if (this.#watchers.get(dir) === watcher) {
        this.#onError(new Error(`Watching directory "${dir}" failed`, { cause: error }));
      }
    }
    // The watcher ended (closed, or its directory is gone): let the owner notice.
    if (this.#watchers.get(dir) === watcher) {
      this.#watchers.delete(dir);
      this.#onEvent([dir]);
    }
  }
}

function closeQuietly(watcher: Deno.FsWatcher): void {
  try {
    watcher.close();
  } catch {
    // Already closed.
  }
}
