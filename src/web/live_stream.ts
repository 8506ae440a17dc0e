/**
 * A streamed HTTP response of NDJSON records (one JSON object per line), fed
 * as facts happen: `sup logs -f` and `sup events -f` read it over the unix
 * socket or TCP. A reader that does not keep up never makes sup grow: past
 * `maxQueuedBytes` waiting for it, records are dropped and counted, and the
 * reader is told with a `{"dropped": <count>}` record once it catches up.
 * An empty line every `keepaliveMs` lets sup notice a reader that went away
 * while nothing happens (the write fails and the stream is cancelled).
 *
 * @module
 */

/** Where a route sends records. */
export interface LiveSink {
  /** Queues one record (dropped and counted when the reader is too far behind). */
  send(record: unknown): void;
  /** Ends the response after what was queued; idempotent. */
  end(): void;
  /** True once the response ended or the reader went away. */
  readonly closed: boolean;
}

/** Tuning of a live stream. */
export interface LiveStreamOptions {
  /** Bytes waiting for the reader past which records are dropped. @default 4 MiB */
  maxQueuedBytes?: number;
  /** How often an empty line goes out (0: never). @default 15 s */
  keepaliveMs?: number;
}

/** The media type of the records. */
export const NDJSON = "application/x-ndjson";

const encoder = new TextEncoder();
const NEWLINE = encoder.encode("\n");

/**
 * An NDJSON response. `open(sink)` runs at once (so a route can send its
 * history and subscribe in one turn: no fact falls between them) and returns
 * the cleanup, called once when the stream ends or its reader goes away.
 */
export function ndjsonResponse(
  open: (sink: LiveSink) => () => void,
  options: LiveStreamOptions = {},
): Response {
  const maxQueued = options.maxQueuedBytes ?? 4 * 1024 * 1024;
  const keepaliveMs = options.keepaliveMs ?? 15_000;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    cancel: () => finish(false),
  }, new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }));

  let closed = false;
  let dropped = 0;
  let cleanup: (() => void) | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  const queued = () => 64 * 1024 - (controller.desiredSize ?? 0);
  const enqueue = (bytes: Uint8Array) => {
    try {
      controller.enqueue(bytes);
    } catch {
      finish(false); // the reader is gone
    }
  };
  const flushDropped = () => {
    if (dropped === 0 || closed || queued() > maxQueued) return;
    const notice = encoder.encode(`${JSON.stringify({ dropped })}\n`);
    dropped = 0;
    enqueue(notice);
  };
  const finish = (close: boolean) => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    const done = cleanup;
    cleanup = null;
    try {
      done?.();
    } finally {
      if (close) {
        try {
          controller.close();
        } catch {
          // Already cancelled by the reader.
        }
      }
    }
  };
  const sink: LiveSink = {
    send(record) {
      if (closed) return;
      if (queued() > maxQueued) {
        dropped++;
        return;
      }
      flushDropped();
      enqueue(encoder.encode(`${JSON.stringify(record)}\n`));
    },
    end: () => finish(true),
    get closed() {
      return closed;
    },
  };
  const dispose = open(sink);
  if (closed) dispose(); // ended while opening (no follow)
  else {
    cleanup = dispose;
    if (keepaliveMs > 0) {
      timer = setInterval(() => {
        flushDropped();
        if (!closed && queued() <= maxQueued) enqueue(NEWLINE);
      }, keepaliveMs);
      Deno.unrefTimer(timer);
    }
  }
  return new Response(body, {
    headers: {
      "content-type": NDJSON,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
