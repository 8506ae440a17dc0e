/**
 * One JSON POST for webhooks and analytics, and what its outcome means for
 * a retry: delivered, worth trying again (no connection, a timeout, a 5xx,
 * 429 with the wait the server asks for), or refused for good (another 4xx:
 * the body or the URL is wrong, and sending it again will not help).
 *
 * @module
 */

/** What became of one POST. */
export type PostOutcome =
  | { kind: "ok"; status: number }
  | {
    kind: "retry";
    error: string;
    /** The wait the server asked for (Retry-After, Discord's `retry_after`), if any. */
    afterMs: number | null;
  }
  | { kind: "refused"; error: string };

/** How long one request may take. */
export const POST_TIMEOUT_MS = 10_000;

/** POSTs `body` as JSON to `url`; never throws. */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string> = {},
  timeoutMs = POST_TIMEOUT_MS,
): Promise<PostOutcome> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    const message = timedOut
      ? `no answer within ${timeoutMs}ms`
      : error instanceof Error
      ? error.message
      : String(error);
    return { kind: "retry", error: message, afterMs: null };
  }
  const text = await response.text().catch(() => "");
  if (response.ok) return { kind: "ok", status: response.status };
  const error = `HTTP ${response.status}${text.trim() ? `: ${text.trim().slice(0, 300)}` : ""}`;
  if (response.status === 429 || response.status >= 500 || response.status === 408) {
    return { kind: "retry", error, afterMs: retryAfterMs(response.headers, text) };
  }
  return { kind: "refused", error };
}

/** The wait a 429 or 503 asks for: `Retry-After` (seconds or a date), or Discord's JSON `retry_after` (seconds). */
export function retryAfterMs(headers: Headers, body: string): number | null {
  const header = headers.get("retry-after");
  if (header !== null) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  try {
    const seconds = JSON.parse(body)?.retry_after;
    if (typeof seconds === "number" && seconds >= 0) return Math.round(seconds * 1000);
  } catch {
    // not JSON
  }
  return null;
}

/** Exponential backoff: `initialMs` doubled per failed attempt (1-based), at most `maxMs`. */
export function backoffMs(attempt: number, initialMs = 1_000, maxMs = 5 * 60_000): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
}
