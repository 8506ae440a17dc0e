/**
 * sup's own log, through LogTape: a console sink (colour on a TTY, with
 * timestamps, or JSON lines) and an optional rotating file sink (JSON
 * lines) from the config's `logging` section. Everything under the
 * category ["sup"] goes to both, including job output, which the core logs
 * under ["sup", "job", <name>]. Call `setupLogging` again after a reload:
 * it replaces the previous setup.
 *
 * @module
 */

import { dirname } from "node:path";
import {
  configure,
  type ConsoleSinkOptions,
  getAnsiColorFormatter,
  getConsoleSink,
  getJsonLinesFormatter,
  getTextFormatter,
  type Sink,
} from "@logtape/logtape";
import type { ResolvedLogging } from "../config/resolved.ts";
import type { LogLevel } from "../config/types.ts";

/** The command-line overrides: `-v` lowers the level to "debug", `-q` raises it to "warning". */
export interface LogFlags {
  verbose?: boolean;
  quiet?: boolean;
}

/** Where the console sink writes and how (for tests; defaults to the real console). */
export interface ConsoleTarget {
  console?: ConsoleSinkOptions["console"];
  /** Colour output. @default on when stdout and stderr are terminals and NO_COLOR is not set */
  color?: boolean;
}

/** The logging used before any config is loaded: text to the console at "info". */
export const DEFAULT_LOGGING: ResolvedLogging = {
  level: "info",
  format: "text",
  file: null,
  maxBytes: 10 * 1024 * 1024,
  maxFiles: 5,
};

/** The level in force: the config's, unless `-v` or `-q` says otherwise. */
export function effectiveLevel(level: LogLevel, flags: LogFlags): LogLevel {
  if (flags.verbose) return "debug";
  if (flags.quiet) return level === "error" ? "error" : "warning";
  return level;
}

/**
 * Configures LogTape for sup (replacing any earlier setup). Throws when the
 * log file cannot be opened; the message names the file.
 */
export async function setupLogging(
  logging: ResolvedLogging = DEFAULT_LOGGING,
  flags: LogFlags = {},
  target: ConsoleTarget = {},
): Promise<void> {
  const color = target.color ??
    (!Deno.noColor && Deno.stdout.isTerminal() && Deno.stderr.isTerminal());
  const formatter = logging.format === "json"
    ? getJsonLinesFormatter()
    : color
    ? getAnsiColorFormatter({ timestamp: "date-time", level: "ABBR", category: "·" })
    : getTextFormatter({ timestamp: "date-time", level: "ABBR", category: "·" });
  const sinks: Record<string, Sink> = {
    console: getConsoleSink({ formatter, console: target.console }),
  };
  if (logging.file !== null) {
    try {
      await Deno.mkdir(dirname(logging.file), { recursive: true });
      // Loaded only when a log file is configured: @logtape/file pulls in
      // Node's fs layer, megabytes of resident memory sup otherwise never uses.
      const { getRotatingFileSink } = await import("@logtape/file");
      sinks.file = getRotatingFileSink(logging.file, {
        maxSize: logging.maxBytes,
        maxFiles: logging.maxFiles,
        formatter: getJsonLinesFormatter(),
        // Non-blocking: a timer writes the buffer within a second, even when
        // sup then falls quiet (the blocking sink only flushes when the next
        // record arrives). Rotation is checked per write, so the buffer is
        // kept small next to maxSize to end files near it.
        nonBlocking: true,
        flushInterval: 1000,
        bufferSize: Math.max(1, Math.min(8192, Math.floor(logging.maxBytes / 8))),
      });
    } catch (error) {
      throw new Error(`Cannot open log file "${logging.file}": ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  await configure({
    reset: true,
    sinks,
    loggers: [
      {
        category: ["sup"],
        lowestLevel: effectiveLevel(logging.level, flags),
        sinks: Object.keys(sinks),
      },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["console"] },
    ],
  });
}
