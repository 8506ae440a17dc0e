/**
 * What the registration rules need to know about a process, read from
 * `/proc/<pid>/stat` and `/proc/<pid>/status` (Linux; thin adapter): its
 * group, session, start time, whether it is a kernel thread, and which user
 * it runs as.
 *
 * @module
 */

import { parseProcStat, type ProcStat, readProcStat } from "../core/proc_stat.ts";

/** A process as the registration rules see it: its stat, plus who it runs as. */
export interface ProcessFacts extends ProcStat {
  /** A kernel thread (PF_KTHREAD, or a child of kthreadd). */
  kernelThread: boolean;
  /** Real uid. */
  uid: number;
  /** Effective uid. */
  euid: number;
}

/** The kernel's flag for kernel threads in `/proc/<pid>/stat` field 9. */
const PF_KTHREAD = 0x00200000;

/** Parses `/proc/<pid>/stat` and `/proc/<pid>/status` texts; null when malformed. */
export function parseProcessFacts(stat: string, status: string): ProcessFacts | null {
  const base = parseProcStat(stat);
  const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
  if (!base || !uids) return null;
  const facts: ProcessFacts = {
    ...base,
    kernelThread: (base.flags & PF_KTHREAD) !== 0 || base.pid === 2 || base.ppid === 2,
    uid: Number(uids[1]),
    euid: Number(uids[2]),
  };
  const numbers = [facts.pid, facts.ppid, facts.pgrp, facts.session, facts.startTime];
  return numbers.every(Number.isInteger) ? facts : null;
}

/** The facts of live process `pid`, or null when it does not exist (or is unreadable). */
export function readProcessFacts(pid: number): ProcessFacts | null {
  if (!Number.isInteger(pid) || pid < 1) return null;
  try {
    return parseProcessFacts(
      Deno.readTextFileSync(`/proc/${pid}/stat`),
      Deno.readTextFileSync(`/proc/${pid}/status`),
    );
  } catch {
    return null;
  }
}

/** Every live (not zombie) process in process group `pgid`. */
export function readGroupMembers(pgid: number): ProcessFacts[] {
  const members: ProcessFacts[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid)) continue;
    // Cheap filter before reading status.
    const stat = readProcStat(pid);
    if (stat === null || stat.pgrp !== pgid || stat.state === "Z") continue;
    const facts = readProcessFacts(pid);
    if (facts && facts.pgrp === pgid && facts.state !== "Z") members.push(facts);
  }
  return members;
}
