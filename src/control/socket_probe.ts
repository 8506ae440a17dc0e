/**
 * What is at a control socket's path: nothing, a live sup, the leftover of
 * a sup that died (nothing answers), a socket another user owns that we
 * may not open, or a file that is not a socket. Decided from the file's
 * metadata and a connect attempt's error class, never from message text.
 *
 * @module
 */

import type { SupInfo } from "../core/control_api.ts";

/** What a path holds. */
export type SocketProbe =
  | { kind: "live"; path: string; info: SupInfo | null }
  | { kind: "stale"; path: string; owner: number | null }
  | { kind: "missing"; path: string }
  | { kind: "denied"; path: string; owner: number | null; mode: number | null }
  | { kind: "notSocket"; path: string };

/** Probes `path`; with `info`, asks a live sup who it is (bounded by `timeoutMs`). */
export async function probeSocket(
  path: string,
  options: { info?: boolean; timeoutMs?: number } = {},
): Promise<SocketProbe> {
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.PermissionDenied) {
      return { kind: "denied", path, owner: null, mode: null };
    }
    return { kind: "missing", path };
  }
  if (!stat.isSocket) return { kind: "notSocket", path };
  const owner = stat.uid;
  try {
    const conn = await Deno.connect({ transport: "unix", path });
    conn.close();
  } catch (error) {
    if (error instanceof Deno.errors.ConnectionRefused) return { kind: "stale", path, owner };
    if (error instanceof Deno.errors.NotFound) return { kind: "missing", path };
    if (error instanceof Deno.errors.PermissionDenied) {
      return { kind: "denied", path, owner, mode: (stat.mode ?? 0) & 0o777 };
    }
    // Anything else (e.g. a full backlog) is still something listening.
  }
  if (options.info === false) return { kind: "live", path, info: null };
  return { kind: "live", path, info: await askInfo(path, options.timeoutMs ?? 2_000) };
}

/** `GET /api/control/info` on the socket, or null when the answer is not one. */
async function askInfo(path: string, timeoutMs: number): Promise<SupInfo | null> {
  const client = Deno.createHttpClient({ proxy: { transport: "unix", path } });
  try {
    const response = await fetch("http://localhost/api/control/info", {
      client,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    return await response.json() as SupInfo;
  } catch {
    return null;
  } finally {
    client.close();
  }
}
