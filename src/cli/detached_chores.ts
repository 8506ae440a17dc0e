/**
 * What `sup run` does besides running when it was started by `--detach` or
 * the guardian: write its pid file once it is up (and remove it when it
 * stops), and rotate the output log its stdout and stderr are appended to.
 *
 * @module
 */

import type { ResolvedLogging } from "../config/resolved.ts";
import { getLogger } from "@logtape/logtape";
import { lazyImport } from "../config/lazy_import.ts";

/** The chores of a running sup; dispose when it stops. */
export interface DetachedChores extends AsyncDisposable {
  /** Rotates the output log now if it is over its size (SIGUSR1). */
  rotate(): Promise<unknown>;
}

/** Starts the chores `options` ask for (none for a plain `sup run`, which loads none of their code). */
export async function detachedChores(
  options: { pidFile?: string; outputLog?: string },
  logging: () => ResolvedLogging,
): Promise<DetachedChores> {
  if (!options.pidFile && !options.outputLog) {
    return { rotate: () => Promise.resolve(), [Symbol.asyncDispose]: () => Promise.resolve() };
  }
  const { removePidFile, writePidFile } = await lazyImport<typeof import("../control/detach.ts")>(
    new URL("../control/detach.ts", import.meta.url),
  );
  const { OutputLogRotation } = await lazyImport<typeof import("../control/output_log.ts")>(
    new URL("../control/output_log.ts", import.meta.url),
  );
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
  return {
    rotate: () => rotation?.check() ?? Promise.resolve(),
    async [Symbol.asyncDispose]() {
      if (options.pidFile) removePidFile(options.pidFile);
      await rotation?.close();
    },
  };
}
