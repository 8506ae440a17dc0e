/**
 * One HTTP probe: a GET whose answer must have an expected status and, when
 * asked, contain some text. Used by a job's `health.http` check and by the
 * `httpok` listener. Never throws: every way it can fail is a reason in
 * words (status code, body mismatch, connection refused, timeout...).
 *
 * @module
 */

/** What a probe found: a pass, or a failure with its reason. */
export type ProbeResult = { ok: true } | { ok: false; reason: string };

/** What to ask and what to expect. */
export interface HttpProbe {
  url: string;
  /** Status codes that pass; null: any 2xx or 3xx. */
  status: readonly number[] | null;
  /** Text the body must contain; null: the body is not read. */
  body: string | null;
  headers?: Record<string, string>;
}

/** Bytes of the body searched for `body` text. */
export const BODY_LIMIT = 1024 * 1024;

/**
 * GETs `probe.url` (redirects not followed) and judges the answer. Resolves
 * (never rejects) once judged or once `signal` aborts; the answer's body is
 * always released.
 */
export async function probeHttp(probe: HttpProbe, signal: AbortSignal): Promise<ProbeResult> {
  let response: Response;
  try {
    response = await fetch(probe.url, {
      headers: { "user-agent": "sup-health", ...probe.headers },
      redirect: "manual",
      signal,
    });
  } catch (error) {
    return { ok: false, reason: signal.aborted ? abortReason(signal) : fetchFailure(error) };
  }
  try {
    const expected = probe.status;
    const passes = expected === null
      ? response.status >= 200 && response.status < 400
      : expected.includes(response.status);
    if (!passes) {
      const want = expected === null ? "2xx or 3xx" : expected.join(" or ");
      return { ok: false, reason: `status ${response.status} (expected ${want})` };
    }
    if (probe.body === null) return { ok: true };
    const text = await readText(response, BODY_LIMIT);
    if (text.includes(probe.body)) return { ok: true };
    return { ok: false, reason: `body does not contain ${JSON.stringify(probe.body)}` };
  } catch (error) {
    if (signal.aborted) return { ok: false, reason: abortReason(signal) };
    return { ok: false, reason: `reading the body failed: ${message(error)}` };
  } finally {
    await response.body?.cancel().catch(() => {});
  }
}

/** The first `limit` bytes of the body, decoded as UTF-8. */
async function readText(response: Response, limit: number): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(Math.min(size, limit));
  let at = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - at);
    bytes.set(part, at);
    at += part.length;
  }
  return new TextDecoder().decode(bytes);
}

/** The reason of an aborted probe: the abort's own reason (e.g. "timeout after 5000ms"). */
function abortReason(signal: AbortSignal): string {
  return message(signal.reason ?? "aborted");
}

/**
 * A failed `fetch` in words. Deno throws `TypeError("fetch failed")` whose
 * cause says what went wrong; the common causes get a short name.
 */
export function fetchFailure(error: unknown): string {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const text = message(cause);
  if (/connection refused/i.test(text)) return "connection refused";
  if (/connection reset/i.test(text)) return "connection reset";
  if (/dns error|lookup address/i.test(text)) return `cannot resolve the host (${text})`;
  if (/certificate|tls|ssl/i.test(text)) return `TLS failed (${text})`;
  return text;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
