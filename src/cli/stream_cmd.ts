/**
 * What `sup logs` and `sup events` share: ask the running sup for a stream
 * (`GET /api/logs` or `/api/events`, NDJSON), print each record as it
 * comes, many records in one write, and end well: when sup stops (the
 * stream ends: said on stderr, exit 0), when sup goes away (exit 1, said
 * why), when the reader of our stdout goes away (`| head`: exit 0), or on
 * Ctrl-C.
 *
 * @module
 */

import type { ControlClient } from "../control/client.ts";
import { ControlError } from "../control/client.ts";

/** What to stream and how to print it. */
export interface StreamRequest<T> {
  /** Path and query, e.g. `/api/logs?job=web&follow=1`. */
  path: string;
  follow: boolean;
  /** One record as a line of text (without newline). */
  format(record: T): string;
  /** What the records are, for messages ("lines", "events"). */
  noun: string;
}

const encoder = new TextEncoder();

/** Streams `request` from `client` to stdout until it ends. */
export async function streamToStdout<T>(
  client: ControlClient,
  request: StreamRequest<T>,
): Promise<void> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  if (request.follow) {
    Deno.addSignalListener("SIGINT", onSignal);
    Deno.addSignalListener("SIGTERM", onSignal);
  }
  try {
    const response = await client.fetch(request.path, { signal: abort.signal });
    if (!response.ok) await refused(response);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let carry = "";
    for (;;) {
      let chunk: ReadableStreamReadResult<string>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (abort.signal.aborted) return;
        throw new ControlError(
          `Lost the stream from sup (${client.where}): ${
            error instanceof Error ? error.message : error
          }`,
        );
      }
      if (chunk.done) break;
      const parts = (carry + chunk.value).split("\n");
      carry = parts.pop()!;
      let text = "";
      for (const part of parts) {
        if (part === "") continue; // keepalive
        const record = JSON.parse(part) as T & { dropped?: number };
        if (typeof record.dropped === "number" && Object.keys(record).length === 1) {
          note(`sup dropped ${record.dropped} ${request.noun}: this reader was too slow`);
        } else text += `${request.format(record)}\n`;
      }
      if (text !== "" && !write(text)) {
        await reader.cancel().catch(() => {});
        return;
      }
    }
    if (request.follow) note(`The stream ended: sup stopped`);
  } finally {
    if (request.follow) {
      Deno.removeSignalListener("SIGINT", onSignal);
      Deno.removeSignalListener("SIGTERM", onSignal);
    }
  }
}

/** Throws the sup's error answer (unknown job with a did-you-mean, bad option) as a `ControlError`. */
async function refused(response: Response): Promise<never> {
  const text = await response.text();
  let message = `sup answered ${response.status} ${response.statusText}`;
  try {
    const body = JSON.parse(text) as { error?: string };
    if (body.error) message = body.error;
  } catch {
    // not JSON
  }
  throw new ControlError(message, response.status);
}

/** Writes to stdout; false once nobody reads it any more (a closed pipe). */
function write(text: string): boolean {
  const bytes = encoder.encode(text);
  try {
    let written = 0;
    while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) return false;
    throw error;
  }
}

function note(text: string): void {
  try {
    Deno.stderr.writeSync(encoder.encode(`sup: ${text}\n`));
  } catch {
    // stderr closed too
  }
}
