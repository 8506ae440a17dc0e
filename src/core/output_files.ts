/**
 * The open output files, keyed by absolute path: stdout and stderr of one
 * job, or of several jobs, that point at the same file share one writer (one
 * queue, one rotation), so their lines never overwrite each other.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { ResolvedOutput } from "../config/resolved.ts";
import type { EventBus } from "./event_bus.ts";
import { RotatingFile } from "./rotating_file.ts";

/** A file output target. */
export type FileOutput = Extract<ResolvedOutput, { kind: "file" }>;

/** Options of `OutputFiles`. */
export interface OutputFilesOptions {
  /** Receives `log.rotated` events. */
  bus?: EventBus;
  /** The clock for daily rotation (tests). @default Date.now */
  now?: () => number;
  /** Receives write/rotate failures. Default: logged under `["sup","output"]`. */
  onError?: (error: Error) => void;
}

interface Entry {
  file: RotatingFile;
  refs: number;
}

/** A ref-counted registry of `RotatingFile`s. */
export class OutputFiles {
  #entries = new Map<string, Entry>();
  /** Paths whose leftovers from an earlier sup were already looked for. */
  #recovered = new Set<string>();
  #options: OutputFilesOptions;

  /** @param options bus for `log.rotated`, clock and error reporter */
  constructor(options: OutputFilesOptions = {}) {
    this.#options = options;
  }

  /**
   * The writer for `target.path`, opened if needed; each call takes a
   * reference that `release` gives back. When the path is already open, its
   * first rotation settings stay.
   */
  open(target: FileOutput): RotatingFile {
    const entry = this.#entries.get(target.path);
    if (entry) {
      entry.refs++;
      return entry.file;
    }
    const { bus, now } = this.#options;
    const logger = getLogger(["sup", "output"]);
    const file = new RotatingFile(target.path, {
      maxBytes: target.maxBytes,
      maxFiles: target.maxFiles,
      daily: target.daily,
      mode: target.mode,
      now,
      recoverLeftovers: !this.#recovered.has(target.path),
      onRotate: bus ? (path) => bus.emit({ type: "log.rotated", path, at: Date.now() }) : undefined,
      onError: this.#options.onError ??
        ((error) => logger.error("{message}", { message: error.message, error })),
    });
    this.#entries.set(target.path, { file, refs: 1 });
    this.#recovered.add(target.path);
    return file;
  }

  /** Gives back one reference; the last one closes the file (after its queued writes). */
  async release(path: string): Promise<void> {
    const entry = this.#entries.get(path);
    if (!entry) return;
    if (--entry.refs > 0) {
      await entry.file.flush();
      return;
    }
    this.#entries.delete(path);
    await entry.file.close();
  }

  /** Paths currently open. */
  paths(): string[] {
    return [...this.#entries.keys()];
  }

  /**
   * What SIGUSR1 does: each file renamed away (by logrotate) is reopened at
   * its path; each file still in place is rotated now.
   */
  async reopenAll(): Promise<void> {
    await Promise.all([...this.#entries.values()].map((entry) => entry.file.reopenOrRotate()));
  }

  /** Flushes and closes every file (sup is stopping). */
  async closeAll(): Promise<void> {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(entries.map((entry) => entry.file.close()));
  }
}
