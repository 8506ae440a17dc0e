/**
 * What `sup run` does besides running when it was started by `--detach` or
 * the guardian: write its pid file once it is up (and remove it when it
 * stops), and rotate the output log its stdout and stderr are appended to.
 *
 * @module
 */

import type { ResolvedLogging } from "../config/resolved.ts";
import { getLogger } from "@logtape/logtape";
import { removePidFile, writePidFile } from "../control/detach.ts";
import { OutputLogRotation } from "../control/output_log.ts";

/** The chores of a running sup; dispose when it stops. */
export interface DetachedChores extends AsyncDisposable {
  /** Rotates the output log now if it is over its size (SIGUSR1). */
  rotate(): Promise<unknown>;
}

/** Starts the chores `options` ask for (none for a plain `sup run`). */
export function detachedChores(
  options: { pidFile?: string; outputLog?: string },
  logging: () => ResolvedLogging,
): Promise<DetachedChores> {
  const log = getLogger(["sup"]);
  const rotation = options.outputLog
    ? new OutputLogRotation(options.outputLog, logging, (message) => log.error(message))
    : null;
  if (options.pidFile) {
    try {
      writePidFile(options.pidFile);
    } catch (error) {
      log.error(`Cannot write the pid file "${options.pidFile}": ${error}`);
    }
  }
  return Promise.resolve({
    rotate: () => rotation?.check() ?? Promise.resolve(),
    async [Symbol.asyncDispose]() {
      if (options.pidFile) removePidFile(options.pidFile);
      await rotation?.close();
    },
  });
}
