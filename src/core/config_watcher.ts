/**
 * Watches a config file and every local file it imports, calling back once
 * (debounced) after a burst of changes. Watches the files' directories, not
 * the files, so editors that save by writing a new file and renaming it
 * over the old one are seen too.
 *
 * @module
 */

/** Calls `onChange` ~`debounceMs` after the last change to any watched file. */
export class ConfigWatcher {
  #files = new Set<string>();
  #dirs = "";
  #watcher: Deno.FsWatcher | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #onChange: () => void;
  #debounceMs: number;
  #closed = false;

  /** @param onChange called after changes settle; @param debounceMs quiet time before calling */
  constructor(onChange: () => void, debounceMs = 100) {
    this.#onChange = onChange;
    this.#debounceMs = debounceMs;
  }

  /** Watches exactly `files` (absolute paths) from now on. */
  watch(files: string[]): void {
    if (this.#closed) return;
    this.#files = new Set(files);
    const dirs = [...new Set(files.map((f) => f.slice(0, f.lastIndexOf("/")) || "/"))].sort();
    if (dirs.join("\n") === this.#dirs && this.#watcher) return;
    this.#dirs = dirs.join("\n");
    this.#watcher?.close();
    this.#watcher = null;
    if (dirs.length === 0) return;
    const watcher = Deno.watchFs(dirs, { recursive: false });
    this.#watcher = watcher;
    void this.#loop(watcher);
  }

  /** Stops watching. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#watcher?.close();
    this.#watcher = null;
  }

  async #loop(watcher: Deno.FsWatcher): Promise<void> {
    try {
      for await (const event of watcher) {
        if (event.kind === "access" || !event.paths.some((p) => this.#files.has(p))) continue;
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => {
          if (!this.#closed) this.#onChange();
        }, this.#debounceMs);
      }
    } catch {
      // closed, or the directory went away: nothing more to watch
    }
  }
}
