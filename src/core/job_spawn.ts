/**
 * Spawns one run of a job for the supervisor: starts the process with sup's
 * variables under the job's own, hands it to the output capture (which
 * sends `exited` with the stderr tail that explains the death), and sends
 * `spawned`, or `spawnFailed` when it could not start.
 *
 * @module
 */

import type { JobEntry } from "./job_entry.ts";
import type { JobOutput } from "./job_output.ts";
import { SpawnError, spawnProcess } from "./process_spawner.ts";

/** Spawns `entry`'s job; every outcome reaches the job's inbox, none throws. */
export function spawnJob(
  entry: JobEntry,
  supEnv: () => Record<string, string>,
  output: JobOutput,
): void {
  const job = entry.config;
  try {
    const proc = spawnProcess({
      ...job,
      env: { ...supEnv(), ...job.env },
      pipeStdout: job.stdout.kind !== "discard",
      pipeStderr: job.stderr.kind !== "discard",
    });
    output.run(entry, proc); // output captured; `exited` sent with the stderr tail
    entry.inbox.sendNext({ type: "spawned", pid: proc.pid, argv: proc.argv });
  } catch (error) {
    const message = error instanceof SpawnError
      ? error.message
      : `Cannot start job "${job.name}": ${error instanceof Error ? error.message : error}`;
    entry.inbox.sendNext({ type: "spawnFailed", message });
  }
}
