/**
 * A helper process that belongs to a job without being the job: its
 * `sideCommand` (started and stopped with the job) or its
 * `postLaunchCommand` (run once per start, when the job is ready). Runs with
 * the job's directory, environment, user and limits, in its own process
 * group; it is never restarted.
 *
 * @module
 */

import { clearLongTimeout, setLongTimeout } from "./long_timeout.ts";
import type { ResolvedJob } from "../config/resolved.ts";
import {
  type ProcessExit,
  signalGroup,
  type SpawnedProcess,
  spawnProcess,
} from "./process_spawner.ts";

/** A running helper process. */
export class AuxProcess {
  /** The process (its pid is also its process group id). */
  readonly process: SpawnedProcess;
  /** Resolves when the helper has ended. */
  readonly exit: Promise<ProcessExit>;
  #ended = false;

  /** Starts `argv` with `job`'s settings; throws `SpawnError`. */
  constructor(job: ResolvedJob, argv: string[]) {
    this.process = spawnProcess({ ...job, argv, stdin: null, pipeStdout: true, pipeStderr: true });
    this.exit = this.process.exit.finally(() => {
      this.#ended = true;
    });
  }

  /** True once the helper has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Sends `signal` to its group, then SIGKILL after `timeoutMs`; resolves when it ended. */
  async stop(signal: Deno.Signal, timeoutMs: number): Promise<void> {
    if (this.#ended) return;
    signalGroup(this.process.pid, signal);
    const timer = setLongTimeout(() => signalGroup(this.process.pid, "SIGKILL"), timeoutMs);
    try {
      await this.exit;
    } finally {
      clearLongTimeout(timer);
      signalGroup(this.process.pid, "SIGKILL");
    }
  }
}
