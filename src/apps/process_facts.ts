/**
 * What the registration rules need to know about a process, read from
 * `/proc/<pid>/stat` and `/proc/<pid>/status` (Linux; thin adapter): its
 * group, session, start time, whether it is a kernel thread, and which user
 * it runs as.
 *
 * @module
 */

/** A process as the registration rules see it. */
export interface ProcessFacts {
  pid: number;
  ppid: number;
  /** Process group id. */
  pgrp: number;
  /** Session id. */
  session: number;
  /** Start time in clock ticks since boot (tells a reused pid). */
  startTime: number;
  /** One-letter state ("R", "S", "Z"...). */
  state: string;
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
  const open = stat.indexOf("(");
  const close = stat.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  const pid = Number(stat.slice(0, open).trim());
  // Fields after the command name start at field 3 (state).
  const rest = stat.slice(close + 2).split(" ");
  const field = (n: number) => Number(rest[n - 3]);
  const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
  if (!uids) return null;
  const ppid = field(4);
  const facts: ProcessFacts = {
    pid,
    ppid,
    pgrp: field(5),
    session: field(6),
    startTime: field(22),
    state: rest[0],
    kernelThread: (field(9) & PF_KTHREAD) !== 0 || pid === 2 || ppid === 2,
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
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    } catch {
      continue; // Gone meanwhile.
    }
    // Cheap filter before reading status: the group is field 5.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid || fields[0] === "Z") continue;
    const facts = readProcessFacts(pid);
    if (facts && facts.pgrp === pgid && facts.state !== "Z") members.push(facts);
  }
  return members;
}
