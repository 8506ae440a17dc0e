/**
 * sup's own log, through LogTape: a console sink (colour on a TTY, with
 * timestamps, or JSON lines) and an optional file sink (JSON lines) from the
 * config's `logging` section. The file is a `RotatingFile`, the same writer
 * jobs' output files use: rotated by size and daily, old files gzipped,
 * written off the event loop, and rotated or reopened on SIGUSR1. Everything under the
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
import { DEFAULT_LOGGING, type ResolvedLogging } from "../config/resolved.ts";
import { folderMode, RotatingFile } from "../core/rotating_file.ts";
import type { LogLevel } from "../config/types.ts";
import { logTapSink } from "../notify/log_mail_tap.ts";

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
export { DEFAULT_LOGGING };

/** The level in force: the config's, unless `-v` or `-q` says otherwise. */
export function effectiveLevel(level: LogLevel, flags: LogFlags): LogLevel {
  if (flags.verbose) return "debug";
  if (flags.quiet) return level === "error" ? "error" : "warning";
  return level;
}

/** sup's own log file as the current setup has it. */
export interface LogFile {
  /** What SIGUSR1 does: reopen the file if logrotate moved it away, else rotate it now. No-op without a file. */
  reopenOrRotate(): Promise<void>;
}

/** A LogTape sink writing JSON lines to a rotating file; disposing it (LogTape's `dispose`, a new `configure`) closes the file. */
function rotatingFileSink(file: RotatingFile): Sink & AsyncDisposable {
  const format = getJsonLinesFormatter();
  const encoder = new TextEncoder();
  const sink = (record: Parameters<Sink>[0]) => file.write(encoder.encode(format(record)));
  return Object.assign(sink, { [Symbol.asyncDispose]: () => file.close() });
}

/**
 * Configures LogTape for sup (replacing any earlier setup, whose log file is
 * flushed and closed). Throws when the log file cannot be opened; the message
 * names the file.
 */
export async function setupLogging(
  logging: ResolvedLogging = DEFAULT_LOGGING,
  flags: LogFlags = {},
  target: ConsoleTarget = {},
): Promise<LogFile> {
  const color = target.color ??
    (!Deno.noColor && Deno.stdout.isTerminal() && Deno.stderr.isTerminal());
  const formatter = logging.format === "json"
    ? getJsonLinesFormatter()
    : color
    ? getAnsiColorFormatter({ timestamp: "date-time", level: "ABBR", category: "·" })
    : getTextFormatter({ timestamp: "date-time", level: "ABBR", category: "·" });
  const sinks: Record<string, Sink> = {
    console: getConsoleSink({ formatter, console: target.console }),
    tap: logTapSink, // logging.mail reads sup's log here
  };
  let file: RotatingFile | null = null;
  if (logging.file !== null) {
    const path = logging.file;
    try {
      await Deno.mkdir(dirname(path), { recursive: true, mode: folderMode(logging.fileMode) });
      (await Deno.open(path, { append: true, create: true, mode: logging.fileMode })).close();
    } catch (error) {
      throw new Error(`Cannot open log file "${path}": ${(error as Error).message}`, {
        cause: error,
      });
    }
    file = new RotatingFile(path, {
      maxBytes: logging.maxBytes,
      maxFiles: logging.maxFiles,
      daily: true,
      mode: logging.fileMode,
      onError: (error) => console.error(`Log file "${path}": ${error.message}`),
    });
    sinks.file = rotatingFileSink(file);
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
  return { reopenOrRotate: () => file?.reopenOrRotate() ?? Promise.resolve() };
}
