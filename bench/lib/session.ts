/**
 * One launch of a supervisor for a benchmark: its dir, its stamp file, the
 * job pids seen so far, and an `end()` that leaves no process behind.
 *
 * @module
 */

import type { BenchContext } from "./context.ts";
import { readStamps, type Stamp } from "./stamp.ts";
import type { JobSpec, Running, Target } from "./target.ts";

/** A launched supervisor and what its jobs stamped. */
export interface Session {
  /** The launched supervisor. */
  running: Running;
  /** This launch's directory. */
  dir: string;
  /** File every job stamps into. */
  stampFile: string;
  /** Re-reads the stamp file; returns every stamp and remembers their pids. */
  stamps(): Promise<Stamp[]>;
  /** Ends the supervisor and every job pid ever stamped (bounded). */
  end(): Promise<void>;
  /** The last `lines` lines of the supervisor's own output (for error messages). */
  logTail(lines?: number): string;
}

/**
 * Launches `target` with the jobs `makeJobs` gives for this launch's dir and
 * stamp file, registered with the context's cleanup.
 */
export async function openSession(
  ctx: BenchContext,
  target: Target,
  label: string,
  makeJobs: (dir: string, stampFile: string) => JobSpec[],
): Promise<Session> {
  const dir = await ctx.dir(`${label}-${target.name}`);
  const stampFile = `${dir}/stamps`;
  const pids = new Set<number>();
  const running = await target.start(dir, makeJobs(dir, stampFile));
  const release = ctx.track(running, () => pids);
  const stamps = async () => {
    const s = await readStamps(stampFile);
    for (const st of s) pids.add(st.pid);
    return s;
  };
  return {
    running,
    dir,
    stampFile,
    stamps,
    logTail: (lines = 5) => tail(dir, lines),
    end: async () => {
      await stamps();
      await running.dispose(pids);
      release();
    },
  };
}

/** Supervisor output files a launch may leave in its dir. */
const LOGS = ["sup.log", "supervisord.out", "supervisord.log", "pm2-cli.log", "pm2/pm2.log"];

function tail(dir: string, lines: number): string {
  const out: string[] = [];
  for (const name of LOGS) {
    let text: string;
    try {
      text = Deno.readTextFileSync(`${dir}/${name}`).trimEnd();
    } catch {
      continue;
    }
    if (text) out.push(`${name}: ${text.split("\n").slice(-lines).join("\n  ")}`);
  }
  return out.join("\n");
}

/** argv that runs the stamp helper as a long-lived job tagged `tag`. */
export function stampJob(ctx: BenchContext, stampFile: string, tag: string): string[] {
  return [...ctx.stamp.argv, stampFile, tag];
}
