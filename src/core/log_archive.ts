/**
 * The rotated copies of a log file: `path.1.gz` (newest) to `path.N.gz`
 * (oldest). A rotation first renames the live file to a temporary name (so
 * the writer can go on at once); this module then gzips it into place.
 *
 * @module
 */

import { basename, dirname, join } from "node:path";
import { gzipFile } from "./gzip.ts";

const PENDING_MARK = ".rotating-";

/** The name a just-rotated file gets until it is compressed. */
export function pendingName(path: string, now: number, seq: number): string {
  return `${path}${PENDING_MARK}${now}-${seq}`;
}

/** `path.<n>.gz`: the n-th newest rotated file. */
export function archiveName(path: string, n: number): string {
  return `${path}.${n}.gz`;
}

/**
 * Gzips the rotated file `pending` into `path.1.gz`, shifting older copies up
 * and deleting what is past `maxFiles`; removes `pending`. With `maxFiles`
 * 0 the rotated file is just deleted.
 */
export async function archiveRotated(
  path: string,
  pending: string,
  maxFiles: number,
): Promise<void> {
  if (maxFiles <= 0) {
    await removeIfExists(pending);
    await pruneFrom(path, 1);
    return;
  }
  const compressed = `${pending}.gz`;
  try {
    await gzipFile(pending, compressed);
  } catch (error) {
    await removeIfExists(compressed);
    throw error;
  }
  await pruneFrom(path, maxFiles);
  for (let n = maxFiles - 1; n >= 1; n--) {
    await renameIfExists(archiveName(path, n), archiveName(path, n + 1));
  }
  await Deno.rename(compressed, archiveName(path, 1));
  await removeIfExists(pending);
}

/**
 * Rotated files left uncompressed by a sup that stopped mid-rotation, oldest
 * first, to archive again; removes half-written `.gz` files next to them.
 */
export async function leftoverPending(path: string): Promise<string[]> {
  const dir = dirname(path);
  const prefix = basename(path) + PENDING_MARK;
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.startsWith(prefix)) continue;
      if (entry.name.endsWith(".gz")) await removeIfExists(join(dir, entry.name));
      else found.push(join(dir, entry.name));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const stamp = (name: string) =>
    Number(name.slice(name.lastIndexOf(PENDING_MARK) + PENDING_MARK.length).split("-")[0]);
  return found.sort((a, b) => stamp(a) - stamp(b));
}

/**
 * Archives the rotated files of one log, one after another in the
 * background; failures go to `onError`, never to the writer.
 */
export class LogArchive {
  #chain: Promise<void> = Promise.resolve();

  /**
   * @param path the live log file
   * @param maxFiles rotated files kept
   * @param onError receives what failed, with the file named
   */
  constructor(
    readonly path: string,
    readonly maxFiles: number,
    readonly onError: (error: unknown, context: string) => void,
  ) {}

  /** Queues a rotated file (renamed to `pendingName`) to be gzipped into place. */
  add(pending: string): void {
    this.#chain = this.#chain.then(() => archiveRotated(this.path, pending, this.maxFiles))
      .catch((error) => this.onError(error, `Cannot archive rotated file "${pending}"`));
  }

  /** Queues the rotated files a stopped sup left uncompressed. */
  async recoverLeftovers(): Promise<void> {
    for (const pending of await leftoverPending(this.path)) this.add(pending);
  }

  /** Resolves when every queued file is archived (including ones queued meanwhile). */
  async idle(): Promise<void> {
    let chain;
    do {
      chain = this.#chain;
      await chain;
    } while (chain !== this.#chain);
  }
}

/** Deletes `path.<n>.gz` for n >= `from`, up to the first missing one. */
async function pruneFrom(path: string, from: number): Promise<void> {
  for (let n = from; n < from + 1000; n++) {
    if (!(await removeIfExists(archiveName(path, n)))) return;
  }
}

async function removeIfExists(path: string): Promise<boolean> {
  try {
    await Deno.remove(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await Deno.rename(from, to);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
