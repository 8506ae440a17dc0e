/**
 * Spawns one run of a job for the supervisor: starts the process with sup's
 * variables under the job's own, captures its output, and turns the outcome
 * into the job's next inputs (`spawned`, later `exited` with the stderr tail
 * that explains the death; or `spawnFailed`).
 *
 * @module
 */

import type { JobEntry } from "./job_entry.ts";
import type { JobOutput } from "./job_output.ts";
import { SpawnError, spawnProcess, wrapperExecError } from "./process_spawner.ts";
import { bounded } from "./stop_order.ts";

/** Spawns `entry`'s job; every outcome reaches the job's inbox, none throws. */
export function spawnJob(
  entry: JobEntry,
  supEnv: () => Record<string, string>,
  output: JobOutput,
  onError: (message: string) => void,
): void {
  const job = entry.config;
  try {
    const proc = spawnProcess({
      ...job,
      env: { ...supEnv(), ...job.env },
      pipeStdout: job.stdout.kind !== "discard",
      pipeStderr: job.stderr.kind !== "discard",
    });
    entry.stderrRing.clear(); // the tail explains this run's death only
    const stderrRead = output.capture(entry, proc.stdout, proc.stderr, job);
    proc.exit.then(async (exit) => {
      // A wrapper that could not exec says why on stderr: read it to the end (bounded).
      if (exit.code === 126 || exit.code === 127) await bounded(stderrRead, 500);
      entry.ring.size; // settles pending lines, so the stderr tail is current
      const stderrTail = entry.stderrRing.tail();
      const execFailed = wrapperExecError(job.name, exit.code, stderrTail);
      entry.inbox.send({ type: "exited", pid: proc.pid, ...exit, stderrTail, execFailed });
    }).catch((error) => onError(`Job "${job.name}": ${error}`));
    entry.inbox.sendNext({ type: "spawned", pid: proc.pid, argv: proc.argv });
  } catch (error) {
    const message = error instanceof SpawnError
      ? error.message
      : `Cannot start job "${job.name}": ${error instanceof Error ? error.message : error}`;
    entry.inbox.sendNext({ type: "spawnFailed", message });
  }
}
