/**
 * One job's helper processes: its `sideCommand` (started when the job's
 * process is running, stopped when that process ends) and its
 * `postLaunchCommand` (run once per start, when the job is ready). Neither
 * is restarted; failures are reported, never fatal to the job. Each job has
 * its own `JobHelpers`, which keeps the processes it started.
 *
 * @module
 */

import type { ResolvedJob } from "../config/resolved.ts";
import { AuxProcess } from "./aux_process.ts";
import type { RuntimeStateFile } from "./runtime_state.ts";

/** What a job's helpers are wired to. */
export interface HelperWiring {
  /** Hands a helper's output streams to the job's capture. */
  capture(
    stdout: ReadableStream<Uint8Array> | null,
    stderr: ReadableStream<Uint8Array> | null,
  ): void;
  /** Records side commands' process groups. */
  state: RuntimeStateFile | null;
  /** Reports a helper that failed. */
  onError(message: string): void;
}

/** Starts and stops one job's helper processes. */
export class JobHelpers {
  #job: () => ResolvedJob;
  #wiring: HelperWiring;
  #side: AuxProcess | null = null;
  /** Post-launch commands that may still run. */
  #postLaunch = new Set<AuxProcess>();

  /** @param job the job's current config (it changes on reload) */
  constructor(job: () => ResolvedJob, wiring: HelperWiring) {
    this.#job = job;
    this.#wiring = wiring;
  }

  /** Starts the job's side command (when it has one and none runs). */
  startSide(): void {
    const job = this.#job();
    if (!job.sideCommand || (this.#side && !this.#side.ended)) return;
    const side = this.#start(job, job.sideCommand, "sideCommand");
    if (!side) return;
    this.#side = side;
    this.#wiring.state?.setJob(`${job.name}:side`, {
      pgid: side.process.pid,
      killSignal: job.killSignal,
      killTimeoutMs: job.killTimeoutMs,
    });
  }

  /** Stops the job's side command, if one runs; resolves when it has ended. */
  stopSide(): Promise<void> {
    const side = this.#side;
    this.#side = null;
    if (!side) return Promise.resolve();
    const { name, killSignal, killTimeoutMs } = this.#job();
    return side.stop(killSignal, killTimeoutMs).finally(() => {
      if (!this.#side) this.#wiring.state?.deleteJob(`${name}:side`);
    });
  }

  /** The end of the side command running now, or null when none runs. */
  sideEnded(): Promise<unknown> | null {
    return this.#side?.exit ?? null;
  }

  /** Runs the job's post-launch command once (when it has one). */
  postLaunch(): void {
    const job = this.#job();
    if (!job.postLaunchCommand) return;
    const helper = this.#start(job, job.postLaunchCommand, "postLaunchCommand");
    if (!helper) return;
    this.#postLaunch.add(helper);
    void helper.exit.then((exit) => {
      this.#postLaunch.delete(helper);
      if (exit.code === 0) return;
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      this.#wiring.onError(`postLaunchCommand of job "${job.name}" ${how}`);
    });
  }

  /** Stops every helper of the job (shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all([
      this.stopSide(),
      ...[...this.#postLaunch].map((p) => p.stop("SIGTERM", 1_000)),
    ]);
  }

  #start(job: ResolvedJob, argv: string[], what: string): AuxProcess | null {
    try {
      const helper = new AuxProcess(job, argv);
      this.#wiring.capture(helper.process.stdout, helper.process.stderr);
      return helper;
    } catch (error) {
      this.#wiring.onError(`${what}: ${error instanceof Error ? error.message : error}`);
      return null;
    }
  }
}
