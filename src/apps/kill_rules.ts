/**
 * Which processes a registration may have sup kill (actions "kill" and
 * "restart" with a pid), and what exactly is killed when its refresh is
 * missed. Pure: the facts come from `process_facts.ts`.
 *
 * The rules, checked at registration and again before killing:
 * - never pid 1, sup itself, kernel threads;
 * - never a process of one of sup's jobs (its pid, group or session) unless
 *   `apps.allowJobs` is true;
 * - a user other than root may only name a process running as that user
 *   (real and effective uid), and a sender whose user cannot be told (not a
 *   local socket) may name none.
 *
 * The registered process's group is killed only when the process leads it,
 * the group is not sup's, and every member passes the same rules; else only
 * the process is killed.
 *
 * @module
 */

import type { ProcessFacts } from "./process_facts.ts";

/** What the rules compare a process with. */
export interface KillContext {
  /** sup's own pid. */
  supPid: number;
  /** sup's own process group. */
  supPgrp: number | null;
  /** Pids of sup's jobs' current processes, with the job names. */
  jobs: ReadonlyMap<number, string>;
  /** `apps.allowJobs`: registrations may name sup's jobs' processes. */
  allowJobs: boolean;
}

/** Why `facts` (the process `pid`) may not be killed for a sender of `uid`, or null when it may. */
export function killRefusal(
  pid: number,
  facts: ProcessFacts | null,
  uid: number | null,
  ctx: KillContext,
): string | null {
  if (pid === 1) return "pid 1 is init; it is never killed";
  if (facts === null || facts.state === "Z") return `no process ${pid} is running`;
  if (pid === ctx.supPid) return `pid ${pid} is sup itself`;
  if (facts.kernelThread) return `pid ${pid} is a kernel thread`;
  if (!ctx.allowJobs) {
    const job = ctx.jobs.get(pid) ?? ctx.jobs.get(facts.pgrp) ?? ctx.jobs.get(facts.session);
    if (job !== undefined) {
      return `pid ${pid} belongs to sup's job "${job}" (set apps.allowJobs in the config ` +
        `to let registrations name jobs' processes)`;
    }
  }
  if (uid === null) {
    return `cannot tell which local user sent this registration, so it may not name a pid ` +
      `to kill (only clients on this machine, whose socket is listed in /proc/net, may)`;
  }
  if (uid !== 0 && (facts.uid !== uid || facts.euid !== uid)) {
    return `pid ${pid} runs as uid ${facts.euid}, not as the sender's uid ${uid}; ` +
      `only root may register another user's process`;
  }
  return null;
}

/** What to kill: a pid, a whole group (negative), or nothing; and why, for the log. */
export interface KillPlan {
  /** `Deno.kill` target: pid, or -pgid for the group; null for nothing. */
  target: number | null;
  /** What is done, for the log. */
  note: string;
}

/**
 * Plans the kill of registered process `pid` (registered with `startTime`)
 * for a sender of `uid`: `members` lists its group when it leads one.
 */
export function planKill(
  pid: number,
  startTime: number | null,
  facts: ProcessFacts | null,
  uid: number | null,
  ctx: KillContext,
  members: (pgid: number) => ProcessFacts[],
): KillPlan {
  if (facts === null || facts.state === "Z") {
    return { target: null, note: `pid ${pid} is already gone` };
  }
  if (startTime !== null && facts.startTime !== startTime) {
    return { target: null, note: `pid ${pid} now belongs to another process; nothing killed` };
  }
  const refusal = killRefusal(pid, facts, uid, ctx);
  if (refusal !== null) return { target: null, note: `${refusal}; nothing killed` };
  if (facts.pgrp !== pid || facts.pgrp === ctx.supPgrp) {
    return { target: pid, note: `killed pid ${pid} (it does not lead its process group)` };
  }
  const spared = members(pid).find((m) => killRefusal(m.pid, m, uid, ctx) !== null);
  if (spared !== undefined) {
    return {
      target: pid,
      note: `killed pid ${pid} only: its group holds pid ${spared.pid}, which may not be killed ` +
        `(${killRefusal(spared.pid, spared, uid, ctx)})`,
    };
  }
  return { target: -pid, note: `killed process group ${pid}` };
}
