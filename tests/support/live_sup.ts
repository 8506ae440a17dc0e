/**
 * A live sup for channel and client tests: the one in-process sup
 * (`in_process_sup.ts`, the real `runSup`) with every channel on a free port
 * of 127.0.0.1. Kept as a name the tests know; it adds nothing of its own.
 *
 * @module
 */

import {
  type InProcessPorts,
  type InProcessSup,
  type InProcessSupOptions,
  startInProcessSup,
} from "./in_process_sup.ts";
import { freeTcpPort, freeUdpPort } from "./ports.ts";

/** Ports the live sup listens on. */
export type LivePorts = InProcessPorts;
/** What to run. */
export type LiveSupOptions = InProcessSupOptions;
/** A running sup; dispose to stop it. */
export type LiveSup = InProcessSup;

export { freeTcpPort, freeUdpPort };

/** Starts the jobs and the components around them, on free ports. */
export function startLiveSup(options: LiveSupOptions): Promise<LiveSup> {
  return startInProcessSup(options);
}
