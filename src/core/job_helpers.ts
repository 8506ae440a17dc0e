/**
 * A job's helper processes: its `sideCommand` (started when the job's
 * process is running, stopped when that process ends) and its
 * `postLaunchCommand` (run once per start, when the job is ready). Neither
 * is restarted; failures are reported, never fatal to the job.
 *
 * @module
 */

import { AuxProcess } from "./aux_process.ts";
import type { JobEntry } from "./job_entry.ts";
import type { RuntimeStateFile } from "./runtime_state.ts";

/** Hands a helper's output streams to the job's capture. */
export type CaptureHelper = (
  entry: JobEntry,
  stdout: ReadableStream<Uint8Array> | null,
  stderr: ReadableStream<Uint8Array> | null,
) => void;

/** Starts and stops jobs' helper processes. */
export class JobHelpers {
  #capture: CaptureHelper;
  #state: RuntimeStateFile | null;
  #onError: (message: string) => void;

  /** @param capture routes helper output; @param state records side commands' groups */
  constructor(
    capture: CaptureHelper,
    state: RuntimeStateFile | null,
    onError: (message: string) => void,
  ) {
    this.#capture = capture;
    this.#state = state;
    this.#onError = onError;
  }

  /** Starts the job's side command (when it has one and none runs). */
  startSide(entry: JobEntry): void {
    const argv = entry.config.sideCommand;
    if (!argv || (entry.side && !entry.side.ended)) return;
    const side = this.#start(entry, argv, "sideCommand");
    if (!side) return;
    entry.side = side;
    this.#state?.setJob(`${entry.config.name}:side`, {
      pgid: side.process.pid,
      killSignal: entry.snap.policy.killSignal,
      killTimeoutMs: entry.snap.policy.killTimeoutMs,
    });
  }

  /** Stops the job's side command, if one runs; resolves when it has ended. */
  stopSide(entry: JobEntry): Promise<void> {
    const side = entry.side;
    entry.side = null;
    if (!side) return Promise.resolve();
    const { killSignal, killTimeoutMs } = entry.snap.policy;
    return side.stop(killSignal, killTimeoutMs).finally(() => {
      if (!entry.side) this.#state?.deleteJob(`${entry.config.name}:side`);
    });
  }

  /** Runs the job's post-launch command once (when it has one). */
  postLaunch(entry: JobEntry): void {
    const argv = entry.config.postLaunchCommand;
    if (!argv) return;
    const helper = this.#start(entry, argv, "postLaunchCommand");
    if (!helper) return;
    entry.postLaunch.add(helper);
    void helper.exit.then((exit) => {
      entry.postLaunch.delete(helper);
      if (exit.code === 0) return;
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      this.#onError(`postLaunchCommand of job "${entry.config.name}" ${how}`);
    });
  }

  /** Stops every helper of the job (shutdown). */
  async stopAll(entry: JobEntry): Promise<void> {
    await Promise.all([
      this.stopSide(entry),
      ...[...entry.postLaunch].map((p) => p.stop("SIGTERM", 1_000)),
    ]);
  }

  #start(entry: JobEntry, argv: string[], what: string): AuxProcess | null {
    try {
      const helper = new AuxProcess(entry.config, argv);
      this.#capture(entry, helper.process.stdout, helper.process.stderr);
      return helper;
    } catch (error) {
      this.#onError(`${what}: ${error instanceof Error ? error.message : error}`);
      return null;
    }
  }
}
