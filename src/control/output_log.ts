/**
 * The output log of a detached sup (`sup run --detach`): nobody reads its
 * pipes, its stdout and stderr are appended to a file by the shell that
 * started it, so sup rotates that file the way logrotate's `copytruncate`
 * does: copy it aside, truncate it. sup's descriptor is in append mode, so
 * writing goes on at the start of the emptied file.
 *
 * @module
 */

import { LogArchive, pendingName } from "../core/log_archive.ts";
import { fileSize } from "./detach.ts";

/** How often the output log's size is checked. */
const CHECK_EVERY_MS = 10_000;

/**
 * Rotates a file that this process's stdout and stderr are appended to:
 * when it is larger than `maxBytes`, its content is copied aside (bytes
 * written during the copy included) and the file is truncated; the copy is
 * archived as `path.1.gz` ... like every log sup rotates. Lines written
 * between the last copy and the truncation (microseconds) are lost: the
 * price of rotating a file no one can reopen.
 */
export async function copyTruncate(
  path: string,
  maxBytes: number,
  archive: LogArchive,
): Promise<boolean> {
  const size = fileSize(path);
  if (maxBytes <= 0 || size <= maxBytes) return false;
  const pending = pendingName(path, Date.now(), 0);
  await Deno.copyFile(path, pending);
  const copied = fileSize(pending);
  const file = await Deno.open(path, { read: true, write: true });
  try {
    const grown = (await file.stat()).size;
    if (grown > copied) {
      const extra = new Uint8Array(grown - copied);
      await file.seek(copied, Deno.SeekMode.Start);
      let read = 0;
      while (read < extra.length) {
        const n = await file.read(extra.subarray(read));
        if (n === null) break;
        read += n;
      }
      await Deno.writeFile(pending, extra.subarray(0, read), { append: true });
    }
    await file.truncate(0);
  } finally {
    file.close();
  }
  archive.add(pending);
  return true;
}

/** Rotation settings (the config's `logging`). */
export interface OutputLogLimits {
  maxBytes: number;
  maxFiles: number;
}

/** Keeps a detached sup's output log under `logging.maxBytes`, checked every 10 s and on `check()`. */
export class OutputLogRotation {
  #timer: ReturnType<typeof setInterval>;
  #archive: LogArchive;
  #busy: Promise<unknown> = Promise.resolve();

  /**
   * @param path the output log
   * @param limits read at every check (a reload may change them)
   * @param onError receives failures (never thrown)
   */
  constructor(
    readonly path: string,
    readonly limits: () => OutputLogLimits,
    readonly onError: (message: string) => void,
  ) {
    this.#archive = new LogArchive(
      path,
      limits().maxFiles,
      (error, context) => onError(`${context}: ${error}`),
    );
    this.#timer = setInterval(() => void this.check(), CHECK_EVERY_MS);
    Deno.unrefTimer(this.#timer);
  }

  /** Rotates now if the file is over the limit; resolves when done (never rejects). */
  check(): Promise<unknown> {
    this.#busy = this.#busy.then(async () => {
      const { maxBytes, maxFiles } = this.limits();
      if (maxFiles !== this.#archive.maxFiles) {
        this.#archive = new LogArchive(this.path, maxFiles, this.#archive.onError);
      }
      await copyTruncate(this.path, maxBytes, this.#archive);
    }).catch((error) => this.onError(`Cannot rotate "${this.path}": ${error}`));
    return this.#busy;
  }

  /** Stops checking; resolves once the archives are written. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#busy;
    await this.#archive.idle();
  }
}
