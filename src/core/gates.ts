/**
 * When a job the config wants running may start:
 *
 * - `wait` jobs gate every job listed after them in config order: each must
 *   have exited 0 first (a disabled `wait` job gates nothing: skipping a
 *   setup step is the operator's call).
 * - `after: ["db"]`: each target must be running, and ready when it has a
 *   heartbeat config or a health check; a `once`/`wait` target counts once it exited 0.
 *   A disabled or failed target keeps its dependents waiting.
 *
 * A run is ready at its first heartbeat (heartbeat config), its first
 * passing health check (`health`), whichever comes first with both, or at
 * its spawn with neither (`readyAtSpawn`: the supervisor marks those).
 *
 * Pure: the supervisor passes each job's current facts.
 *
 * @module
 */

import type { ResolvedJob } from "../config/resolved.ts";
import type { JobState } from "./events.ts";

/** What the gates need to know about a job now. */
export interface GateFacts {
  state: JobState;
  ready: boolean;
  lastExitCode: number | null;
}

/** Null when `job` may start now, else what it waits for (e.g. `waiting for "db" to be running`). */
export function blockedBy(
  jobs: ResolvedJob[],
  job: ResolvedJob,
  facts: (name: string) => GateFacts | undefined,
): string | null {
  const completed = (f: GateFacts | undefined) => f?.state === "exited" && f.lastExitCode === 0;
  for (const other of jobs) {
    if (other.name === job.name) break;
    if (other.wait && !other.disabled && !completed(facts(other.name))) {
      return `waiting for setup job "${other.name}" to exit 0`;
    }
  }
  for (const name of job.after) {
    const target = jobs.find((j) => j.name === name);
    const f = facts(name);
    if (!target || !f) return `waiting for "${name}", which is not in the config`;
    if ((target.once || target.wait) && completed(f)) continue;
    if (f.state !== "running") return `waiting for "${name}" to be running`;
    if (!readyAtSpawn(target) && !f.ready) return `waiting for "${name}" to be ready`;
  }
  return null;
}

/** True when the job is ready as soon as it has spawned: no heartbeat and no health check to wait for. */
export function readyAtSpawn(job: Pick<ResolvedJob, "heartbeat" | "health">): boolean {
  return job.heartbeat === null && job.health === null;
}
