/**
 * Reads one run of a job (or of one of its helpers): stdout and stderr to
 * their targets and the job's ring, stderr also to the tail that explains a
 * death, which goes with the job's `exited` input. Tracks every capture so
 * shutdown can wait for the last lines.
 *
 * @module
 */

import type { ResolvedJob } from "../config/resolved.ts";
import type { EventBus } from "./event_bus.ts";
import type { JobEntry } from "./job_entry.ts";
import { captureOutput } from "./output_capture.ts";
import type { OutputFiles } from "./output_files.ts";
import { type SpawnedProcess, wrapperExecError } from "./process_spawner.ts";
import { bounded } from "./stop_order.ts";

/** Starts and tracks the captures of jobs' output streams. */
export class JobOutput {
  /** Captures still reading. */
  readonly active = new Set<Promise<void>>();

  /** @param onError receives a capture's failure (never thrown: sup must not crash) */
  constructor(
    readonly bus: EventBus,
    readonly files: OutputFiles,
    readonly onError: (message: string) => void,
  ) {}

  /** Reads `stdout` and `stderr` of `entry` with `job`'s targets; resolves when stderr has ended. */
  capture(
    entry: JobEntry,
    stdout: ReadableStream<Uint8Array> | null,
    stderr: ReadableStream<Uint8Array> | null,
    job: ResolvedJob,
  ): Promise<void> {
    const common = { job: job.name, ring: entry.ring, bus: this.bus, files: this.files };
    if (stdout) {
      this.#track(job, captureOutput(stdout, { ...common, stream: "stdout", target: job.stdout }));
    }
    if (!stderr) return Promise.resolve();
    const onLine = (line: string, at: number) => entry.stderrRing.push(line, at, "stderr");
    return this.#track(
      job,
      captureOutput(stderr, { ...common, stream: "stderr", target: job.stderr, onLine }),
    );
  }

  /**
   * Captures the output of a job's new process and sends the job its
   * `exited` input once the process ends, with the stderr lines that explain
   * the death (read to the end first, bounded, when the wrapper could not
   * exec the command: it says why on stderr).
   */
  run(entry: JobEntry, process: SpawnedProcess): void {
    const job = entry.config;
    entry.stderrRing.clear(); // the tail explains this run's death only
    const stderrRead = this.capture(entry, process.stdout, process.stderr, job);
    process.exit.then(async (exit) => {
      if (exit.code === 126 || exit.code === 127) await bounded(stderrRead, 500);
      entry.ring.size; // settles pending lines, so the stderr tail is current
      const stderrTail = entry.stderrRing.tail();
      const execFailed = wrapperExecError(job.name, exit.code, stderrTail);
      entry.inbox.send({ type: "exited", pid: process.pid, ...exit, stderrTail, execFailed });
    }).catch((error) => this.onError(`Job "${job.name}": ${error}`));
  }

  #track(job: ResolvedJob, capture: Promise<void>): Promise<void> {
    // A capture never rejects; if one did, it is reported, never a crash of sup.
    const safe = capture.catch((error) => this.onError(`Output of job "${job.name}": ${error}`));
    this.active.add(safe);
    safe.finally(() => this.active.delete(safe));
    return safe;
  }
}
