/**
 * Captures what sup logs (LogTape, every `["sup", ...]` category, from
 * debug up) while a test runs, and resets LogTape afterwards.
 *
 * @module
 */

import { configure, type LogRecord, reset } from "@logtape/logtape";

/** Runs `fn` with the records logged meanwhile collected in the array it is given. */
export async function withLogRecords(
  fn: (records: LogRecord[]) => void | Promise<void>,
): Promise<void> {
  const records: LogRecord[] = [];
  await configure({
    sinks: { mem: (r) => records.push(r) },
    loggers: [{ category: ["sup"], sinks: ["mem"], lowestLevel: "debug" }],
    reset: true,
  });
  try {
    await fn(records);
  } finally {
    await reset();
  }
}
