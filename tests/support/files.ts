/**
 * File checks the end-to-end tests share.
 *
 * @module
 */

/** True when `path` exists (a file, folder or anything else). */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
