/**
 * Shutdown order: every job is stopped after the jobs that run `after` it,
 * independent jobs in parallel, each stop bounded by its kill timeout.
 *
 * @module
 */

import { clearLongTimeout, type LongTimeout, setLongTimeout } from "./long_timeout.ts";
import type { JobEntry } from "./job_entry.ts";
import { signalGroup } from "./process_spawner.ts";

/** SIGKILL to the process group of every entry that has a process (the last resort). */
export function killGroups(entries: Iterable<JobEntry>): void {
  for (const entry of entries) {
    const phase = entry.snap.phase;
    if ("pid" in phase) signalGroup(phase.pid, "SIGKILL");
  }
}

/**
 * Stops `entries` with `stop`, dependents first. A cycle in `after` (the
 * config validator rejects one; the supervisor API might still get one) is
 * broken, never followed forever.
 */
export async function stopInDependencyOrder(
  entries: JobEntry[],
  stop: (entry: JobEntry) => Promise<void>,
): Promise<void> {
  const stops = new Map<JobEntry, Promise<void>>();
  const visiting = new Set<JobEntry>();
  const stopOne = (entry: JobEntry): Promise<void> => {
    const known = stops.get(entry);
    if (known) return known;
    if (visiting.has(entry)) return Promise.resolve();
    visiting.add(entry);
    const dependents = entries.filter((e) => e.config.after.includes(entry.config.name));
    const done = Promise.all(dependents.map(stopOne)).then(() =>
      bounded(stop(entry), entry.config.killTimeoutMs + 2_000)
    );
    stops.set(entry, done);
    return done;
  };
  await Promise.all(entries.map(stopOne));
}

/** Resolves when `promise` settles or after `ms`, whichever is first; never rejects. */
export function bounded(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: LongTimeout | undefined;
  const timeout = new Promise<void>((resolve) => timer = setLongTimeout(resolve, ms));
  return Promise.race([promise.then(() => {}, () => {}), timeout]).finally(() =>
    clearLongTimeout(timer!)
  );
}
