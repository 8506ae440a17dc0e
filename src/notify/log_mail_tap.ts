/**
 * A tap on sup's log for `logging.mail`: `setupLogging` adds `logTapSink`
 * to LogTape's sinks, and the log mail component reads the records through
 * `tapLog` while a config asks for it. Without readers the sink does
 * nothing. (LogTape's configuration is process-wide, so the tap is too.)
 *
 * @module
 */

import type { LogRecord, Sink } from "@logtape/logtape";

const readers = new Set<(record: LogRecord) => void>();

/** The LogTape sink that hands every record of sup's log to the readers. */
export const logTapSink: Sink = (record) => {
  for (const read of readers) {
    try {
      read(record);
    } catch {
      // A reader must never break logging.
    }
  }
};

/** Reads every record of sup's log from now on; returns the function that stops it. */
export function tapLog(read: (record: LogRecord) => void): () => void {
  readers.add(read);
  return () => readers.delete(read);
}
