/**
 * Process facts from Linux /proc: RSS, CPU time, liveness, command line;
 * and ending processes by pid with a check that the pid is still ours.
 *
 * @module
 */

/** Ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

function readText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

/** Resident set size of `pid` in bytes (VmRSS), or undefined when it is gone. */
export function rssBytes(pid: number): number | undefined {
  const status = readText(`/proc/${pid}/status`);
  const m = status?.match(/^VmRSS:\s+(\d+)\s+kB/m);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Fields of /proc/<pid>/stat after the command name (index 0 is the state). */
function statFields(pid: number): string[] | undefined {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  return stat.slice(stat.lastIndexOf(")") + 2).trim().split(" ");
}

/**
 * CPU time of each thread of `pid` in nanoseconds (user + system), from
 * /proc/<pid>/task/<tid>/schedstat; empty when the kernel lacks it or the
 * process is gone. Threads that ended are not listed.
 */
export function threadCpuNanos(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
      const sched = readText(`/proc/${pid}/task/${task.name}/schedstat`);
      if (sched !== undefined) out.set(task.name, Number(sched.split(" ")[0]));
    }
  } catch {
    // gone
  }
  return out;
}

/**
 * CPU time used by `pid` so far (user + system, all threads including those
 * that ended) in seconds; 10 ms resolution. Undefined when it is gone.
 * Monotonic, unlike a sum over the threads alive now.
 */
export function cpuSeconds(pid: number): number | undefined {
  return cpuTicksSeconds(pid);
}

/** utime + stime of /proc/<pid>/stat in seconds (10 ms resolution, all threads ever). */
export function cpuTicksSeconds(pid: number): number | undefined {
  const f = statFields(pid);
  if (!f) return undefined;
  // After the state: ppid(1) pgrp(2) session(3) tty(4) tpgid(5) flags(6) minflt(7)
  // cminflt(8) majflt(9) cmajflt(10) utime(11) stime(12).
  return (Number(f[11]) + Number(f[12])) / USER_HZ;
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const f = statFields(pid);
  return f !== undefined && f[0] !== "Z" && f[0] !== "X";
}

/** Parent pid of `pid`, or undefined when it is gone. */
export function parentPid(pid: number): number | undefined {
  const f = statFields(pid);
  return f ? Number(f[1]) : undefined;
}

/** Process group of `pid`, or undefined when it is gone. */
export function processGroup(pid: number): number | undefined {
  const f = statFields(pid);
  return f ? Number(f[2]) : undefined;
}

/** The argv of `pid` (empty when it is gone or a kernel thread). */
export function cmdline(pid: number): string[] {
  const raw = readText(`/proc/${pid}/cmdline`);
  return raw ? raw.split("\0").filter((s) => s.length > 0) : [];
}

/**
 * Sends `signal` to each pid that is alive and whose command line contains
 * `marker` (so a pid reused by an unrelated process is never touched).
 * Returns the pids signalled.
 */
export function signalIfOurs(
  pids: Iterable<number>,
  marker: string,
  signal: Deno.Signal,
): number[] {
  const hit: number[] = [];
  for (const pid of pids) {
    if (!isAlive(pid) || !cmdline(pid).some((a) => a.includes(marker))) continue;
    // A job that leads its own process group (sup, supervisord) may have children: end them too.
    if (processGroup(pid) === pid) trySignal(-pid, signal);
    if (trySignal(pid, signal)) hit.push(pid);
  }
  return hit;
}

/** Sends `signal` to `pid`; false when it no longer exists. */
export function trySignal(pid: number, signal: Deno.Signal): boolean {
  try {
    Deno.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
