/**
 * Reads one output stream of a job (stdout or stderr) to its end and sends
 * it where the config says: raw bytes to a rotating file, lines to sup's log
 * (LogTape, at info for both streams, category `["sup","job",<name>,<stream>]`:
 * a job's stderr is its output, not a warning of sup's), or nowhere. In every
 * case each line also goes to the job's ring buffer with the time its chunk
 * was read and its stream, and to the bus as `job.output` when someone
 * listens.
 *
 * The hot path per chunk is: read into one reused buffer, copy the bytes
 * into the file writer's queue (no wait), decode the chunk in one call. Lines
 * are split at once only when someone takes them one by one (the log,
 * `job.output` listeners, `onLine`); otherwise only the ring's last lines are
 * split, lazily. The pipe is always drained, so a job is never slowed by sup
 * unless the disk itself is behind.
 *
 * @module
 */

import { getLogger, type Logger } from "@logtape/logtape";
import type { ResolvedOutput } from "../config/resolved.ts";
import type { EventBus } from "./event_bus.ts";
import { LineSplitter } from "./line_splitter.ts";
import type { OutputFiles } from "./output_files.ts";
import type { OutputStream, RingBuffer } from "./ring_buffer.ts";
import type { RotatingFile } from "./rotating_file.ts";

/** Where one stream of one job goes. */
export interface CaptureOptions {
  /** The job's name. */
  job: string;
  stream: OutputStream;
  target: ResolvedOutput;
  /** The job's recent lines (shared by its stdout and stderr). */
  ring: RingBuffer;
  bus: EventBus;
  files: OutputFiles;
  /** Longest line kept for the ring, log and events, in characters. @default 16 K */
  maxLineChars?: number;
  /**
   * A second ring that gets this stream's lines only (e.g. stderr, for
   * `job.exited.stderrTail`); filled lazily like `ring`, so it costs far
   * less than `onLine` for a job writing fast.
   */
  streamRing?: RingBuffer;
  /** Also receives every line and its time, at once (this turns lazy splitting off). */
  onLine?: (line: string, time: number) => void;
}

/**
 * Copies `stream` to its target until EOF. Resolves when the stream has
 * ended and everything read was written (file flushed, last partial line
 * delivered); never rejects: a read error ends the capture like EOF.
 */
export async function captureOutput(
  stream: ReadableStream<Uint8Array>,
  options: CaptureOptions,
): Promise<void> {
  const { job, stream: name, target, ring, streamRing, bus, files, onLine } = options;
  const file: RotatingFile | null = target.kind === "file" ? files.open(target) : null;
  const logger: Logger | null = target.kind === "log" ? getLogger(["sup", "job", job, name]) : null;
  const properties = { job, stream: name };

  // Decided once per chunk, so a chunk costs one check, not one per line.
  let emitEvents = false;
  let logLines = false;
  const splitter = new LineSplitter((line, at) => {
    ring.push(line, at, name);
    streamRing?.push(line, at, name);
    if (emitEvents) bus.emit({ type: "job.output", job, stream: name, line, at });
    if (logLines) {
      logger!.emit({ level: "info", timestamp: at, message: [line], rawMessage: line, properties });
    }
    if (onLine) {
      try {
        onLine(line, at);
      } catch {
        // A broken consumer must not stop the pipe being drained.
      }
    }
  }, options.maxLineChars);
  // With nobody reading lines one by one, only the ring needs them, and only its last
  // `capacity` lines: split lazily, when the ring is read or written, or when much is queued.
  const keep = Math.max(ring.capacity, streamRing?.capacity ?? 0);
  const settleForRing = () => splitter.settle(keep);
  let lazyTimer: ReturnType<typeof setTimeout> | undefined;
  const settleLater = () => {
    lazyTimer = undefined;
    settleForRing();
  };

  const reader = openReader(stream);
  try {
    for (;;) {
      const value = await reader.read();
      if (value === null) break;
      if (file) {
        file.write(value);
        if (file.needsDrain) await file.drained();
      }
      const queuedBefore = splitter.queuedChars;
      splitter.write(value, Date.now());
      emitEvents = bus.hasListeners("job.output");
      logLines = logger !== null && logger.isEnabledFor("info");
      if (emitEvents || logLines || onLine) {
        splitter.settle();
      } else if (splitter.queuedChars > MAX_QUEUED_CHARS) {
        settleForRing();
      } else if (value.length < LAZY_MIN_BYTES && queuedBefore === 0) {
        splitter.settle();
      } else {
        ring.markPending(settleForRing);
        streamRing?.markPending(settleForRing);
        lazyTimer ??= setTimeout(settleLater, LAZY_MAX_MS);
      }
    }
  } catch {
    // The pipe broke (the job's process group was killed mid-read): treat as EOF.
  } finally {
    clearTimeout(lazyTimer);
    emitEvents = bus.hasListeners("job.output");
    logLines = logger !== null && logger.isEnabledFor("info");
    try {
      if (emitEvents || logLines || onLine) splitter.settle();
      else settleForRing();
      splitter.end();
    } finally {
      reader.release();
      if (file) await files.release(file.path);
    }
  }
}

// Lazy splitting is for fast writers: a small chunk after a quiet spell is split at once (a
// slow job holds no queued text), and queued text is split anyway when there is this much
// of it or after this long (bounds memory while a fast job runs, and after it goes quiet).
// Measured on a job writing 200 MB of 80-byte lines to a file: lazy splitting takes sup's CPU
// for the lines from ~75 ms to ~10 ms, close to not splitting at all.
const LAZY_MIN_BYTES = 16 * 1024;
const MAX_QUEUED_CHARS = 1024 * 1024;
const LAZY_MAX_MS = 1000;

/**
 * The read buffer starts small and doubles each time a read fills it, up to
 * a Linux pipe's default capacity (64 KiB): an idle job costs 4 KiB per
 * stream (a fixed 256 KiB buffer cost sup 51 MB at 100 jobs), a fast one
 * reaches full-size reads after four reads.
 */
const FIRST_READ_BYTES = 4 * 1024;
const MAX_READ_BYTES = 64 * 1024;

/** Reads chunks; each is only valid until the next read (the buffer is reused). */
interface ChunkReader {
  /** The next chunk, or null at EOF. */
  read(): Promise<Uint8Array | null>;
  release(): void;
}

/**
 * Reads a byte stream (a child's pipe) into one reused buffer: no buffer is
 * allocated per read, which halves the cost of reading a fast pipe. Other
 * streams are read chunk by chunk.
 */
function openReader(stream: ReadableStream<Uint8Array>): ChunkReader {
  let byob: ReadableStreamBYOBReader;
  try {
    byob = stream.getReader({ mode: "byob" });
  } catch {
    const reader = stream.getReader();
    return {
      read: async () => {
        const { value, done } = await reader.read();
        return done ? null : value;
      },
      release: () => reader.releaseLock(),
    };
  }
  let buffer = new ArrayBuffer(FIRST_READ_BYTES);
  return {
    read: async () => {
      const { value, done } = await byob.read(new Uint8Array(buffer));
      if (done || !value) return null;
      buffer = value.byteLength === value.buffer.byteLength && value.byteLength < MAX_READ_BYTES
        ? new ArrayBuffer(value.byteLength * 2)
        : value.buffer;
      return value;
    },
    release: () => byob.releaseLock(),
  };
}
