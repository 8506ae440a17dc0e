/**
 * OS effects of the registered-app watchdog (thin adapter): whether a pid
 * lives, killing a registered app's process group, and running a restart
 * command detached in its own process group with its output in sup's log.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { readProcStat } from "../core/proc_stat.ts";

/** What the app registry asks of the OS; replaceable in tests. */
export interface AppProcessAdapter {
  /** The start time (clock ticks since boot) of live process `pid`, or null when it does not exist. */
  startTime(pid: number): number | null;
  /**
   * SIGKILLs the process group of `pid` (the pid alone when it shares sup's
   * own group; never sup itself), only if `pid` still has `startTime` (not a
   * reused pid).
   * Returns what was done, for the log.
   */
  killGroup(pid: number, startTime: number | null): string;
  /** Starts `argv` detached in its own process group; output goes to sup's log under `name`. */
  run(name: string, argv: string[]): string;
}

/** The real adapter over /proc, `Deno.kill` and `Deno.Command`. */
export const osAppProcess: AppProcessAdapter = {
  startTime: (pid) => readProcStat(pid)?.startTime ?? null,
  killGroup(pid, startTime) {
    if (pid === Deno.pid) return `pid ${pid} is sup itself; nothing killed`;
    const stat = readProcStat(pid);
    if (!stat || stat.state === "Z") return `pid ${pid} is already gone`;
    if (startTime !== null && stat.startTime !== startTime) {
      return `pid ${pid} now belongs to another process; nothing killed`;
    }
    const own = readProcStat(Deno.pid)?.pgrp;
    const target = stat.pgrp > 1 && stat.pgrp !== own ? -stat.pgrp : pid;
    try {
      Deno.kill(target, "SIGKILL");
      return target < 0 ? `killed process group ${-target}` : `killed pid ${pid}`;
    } catch (error) {
      return `cannot kill ${target < 0 ? `group ${-target}` : `pid ${pid}`}: ${error}`;
    }
  },
  run(name, argv) {
    const logger = getLogger(["sup", "app", name]);
    try {
      const child = new Deno.Command(argv[0], {
        args: argv.slice(1),
        detached: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      void pipeLines(child.stdout, (line) => logger.info(line));
      void pipeLines(child.stderr, (line) => logger.warn(line));
      child.status.then((s) => {
        logger.info("Restart command of app {name} exited with {code}", { name, code: s.code });
      }).catch(() => {});
      child.unref();
      return `started restart command (pid ${child.pid})`;
    } catch (error) {
      return `cannot run restart command ${JSON.stringify(argv)}: ${error}`;
    }
  },
};

async function pipeLines(stream: ReadableStream<Uint8Array>, fn: (line: string) => void) {
  let rest = "";
  try {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) fn(line);
    }
    if (rest) fn(rest);
  } catch {
    // The stream ended with the process; nothing to report.
  }
}
