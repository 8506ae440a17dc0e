/**
 * File paths to and from `file:` URLs (what `@std/path` would do; JSR is not reachable).
 *
 * @module
 */

import { fileURLToPath, pathToFileURL } from "node:url";

/** The `file:` URL of an absolute path. */
export function toFileUrl(path: string): string {
  return pathToFileURL(path).href;
}

/** The absolute path of a `file:` URL. */
export function fromFileUrl(url: string): string {
  return fileURLToPath(url);
}
