/**
 * Reads `/proc/<pid>/stat` (Linux): process group, session and start time,
 * enough to recognise a job's process group after a pid may have been reused.
 *
 * @module
 */

/** What sup needs from `/proc/<pid>/stat`. */
export interface ProcStat {
  pid: number;
  ppid: number;
  /** Process group id. */
  pgrp: number;
  /** Session id. */
  session: number;
  /** Start time in clock ticks since boot (field 22). */
  startTime: number;
  /** One-letter state ("R", "S", "Z"...). */
  state: string;
  /** The kernel's flags for the process (field 9; `PF_KTHREAD` marks a kernel thread). */
  flags: number;
}

/** Parses the text of a `/proc/<pid>/stat` file; null when malformed. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // Fields after the command name start at field 3 (state).
  const rest = text.slice(close + 2).split(" ");
  const field = (n: number) => Number(rest[n - 3]);
  const stat = {
    pid,
    state: rest[0],
    ppid: field(4),
    pgrp: field(5),
    session: field(6),
    startTime: field(22),
    flags: field(9),
  };
  return Number.isFinite(stat.pid) && Number.isFinite(stat.startTime) ? stat : null;
}

/** The stat of a live process, or null when it does not exist. */
export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return null;
  }
}

/** Every process in process group `pgid` that is also in session `pgid`, not a zombie. */
export function groupMembers(pgid: number): ProcStat[] {
  const members: ProcStat[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid)) continue;
    const stat = readProcStat(pid);
    if (stat && stat.pgrp === pgid && stat.session === pgid && stat.state !== "Z") {
      members.push(stat);
    }
  }
  return members;
}
