/**
 * Ends the process groups a previous sup left behind (it was killed before
 * it could stop its jobs), so a new sup never runs a second copy of a job.
 * Call it only while holding the config's `SupLock`: the lock, not the pid
 * in the file, says that the sup that wrote it is gone.
 *
 * @module
 */

import { groupMembers } from "./proc_stat.ts";
import type { RuntimeStateData } from "./runtime_state.ts";
import { signalGroup } from "./process_spawner.ts";

/** A group that was found and ended. */
export interface ReapedGroup {
  job: string;
  pgid: number;
  /** True when SIGKILL was needed after the job's kill timeout. */
  killed: boolean;
}

/**
 * Ends every group recorded in `previous` whose processes still exist:
 * the job's kill signal, then SIGKILL after its kill timeout.
 */
export async function reapOrphans(previous: RuntimeStateData): Promise<ReapedGroup[]> {
  const ends = Object.entries(previous.jobs).map(async ([job, record]) => {
    // Members started before the recorded leader belong to a reused pgid: not ours.
    const ours = () => groupMembers(record.pgid).filter((p) => p.startTime >= record.startTime);
    if (ours().length === 0) return null;
    signalGroup(record.pgid, record.killSignal);
    const deadline = Date.now() + record.killTimeoutMs;
    while (Date.now() < deadline && ours().length > 0) await delay(20);
    const killed = ours().length > 0;
    if (killed) signalGroup(record.pgid, "SIGKILL");
    return { job, pgid: record.pgid, killed };
  });
  return (await Promise.all(ends)).filter((r): r is ReapedGroup => r !== null);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
