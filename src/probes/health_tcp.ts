/**
 * A job's `health.tcp` check: passes when a TCP connection to the port
 * opens (it is closed at once). Never throws.
 *
 * @module
 */

import type { ProbeResult } from "./health_http.ts";

/** Connects to `host:port`; resolves with the result once connected, refused or aborted. */
export async function probeTcp(
  host: string,
  port: number,
  signal: AbortSignal,
): Promise<ProbeResult> {
  try {
    const conn = await Deno.connect({ hostname: host, port, signal });
    try {
      conn.close();
    } catch {
      // Closed by the peer already: the connection did open.
    }
    return { ok: true };
  } catch (error) {
    if (signal.aborted) return { ok: false, reason: String(signal.reason?.message ?? "aborted") };
    if (error instanceof Deno.errors.ConnectionRefused) {
      return { ok: false, reason: "connection refused" };
    }
    const text = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `cannot connect to ${host}:${port}: ${text}` };
  }
}
