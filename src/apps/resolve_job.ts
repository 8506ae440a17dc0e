/**
 * Which job an app's message is about: the name it gives (which must be a
 * job of the running config), else the only job with a heartbeat configured.
 * Used by every channel, so the rule and its refusals read the same.
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";

/** The job a message is about, or why none could be chosen. */
export type JobResolution =
  | { ok: true; job: string }
  | { ok: false; reason: string };

/** Resolves `explicit` against `config` (pure). */
export function resolveJob(
  config: ResolvedConfig,
  explicit: string | null | undefined,
): JobResolution {
  return indexOf(config).resolve(explicit);
}

/**
 * A resolver over a changing config (e.g. `() => api.config()`), which keeps
 * the job index of the last config it saw: on the heartbeat path a lookup is
 * one `Map.get`, not a scan of the jobs.
 */
export function createJobResolver(
  config: () => ResolvedConfig,
): (explicit: string | null | undefined) => JobResolution {
  let seen: ResolvedConfig | null = null;
  let index: JobIndex | null = null;
  return (explicit) => {
    const current = config();
    if (current !== seen || index === null) {
      seen = current;
      index = indexOf(current);
    }
    return index.resolve(explicit);
  };
}

interface JobIndex {
  resolve(explicit: string | null | undefined): JobResolution;
}

function indexOf(config: ResolvedConfig): JobIndex {
  // Shared, prebuilt answers: the heartbeat path allocates nothing here.
  const known = new Map<string, JobResolution>(
    config.jobs.map((job) => [job.name, { ok: true, job: job.name }]),
  );
  const watched = config.jobs.filter((job) => job.heartbeat !== null).map((job) => job.name);
  const implicit: JobResolution = watched.length === 1 ? { ok: true, job: watched[0] } : {
    ok: false,
    reason: watched.length === 0
      ? "No job named, and no job has a heartbeat configured to default to"
      : `No job named, and ${watched.length} jobs have a heartbeat configured (${
        watched.map((n) => `"${n}"`).join(", ")
      }): name one`,
  };
  return {
    resolve(explicit) {
      if (explicit === null || explicit === undefined || explicit === "") return implicit;
      const found = known.get(explicit);
      if (found) return found;
      return { ok: false, reason: `No job named ${JSON.stringify(explicit.slice(0, 100))}` };
    },
  };
}
