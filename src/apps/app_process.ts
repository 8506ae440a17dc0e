/**
 * OS effects of the registered-app watchdog (thin adapter): what a pid is,
 * killing a registered process or its group, and running a restart
 * command detached in its own process group with its output in sup's log.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { type ProcessFacts, readGroupMembers, readProcessFacts } from "./process_facts.ts";

/** What the app registry asks of the OS; replaceable in tests. */
export interface AppProcessAdapter {
  /** What the rules need to know about live process `pid`, or null when it does not exist. */
  facts(pid: number): ProcessFacts | null;
  /** The live members of process group `pgid`. */
  members(pgid: number): ProcessFacts[];
  /** sup's own pid and process group. */
  self(): { pid: number; pgrp: number | null };
  /** SIGKILLs `target` (a pid, or -pgid for a group); returns an error sentence, or "" when done. */
  kill(target: number): string;
  /** Starts `argv` detached in its own process group; output goes to sup's log under `name`. */
  run(name: string, argv: string[]): string;
}

/** The real adapter over /proc, `Deno.kill` and `Deno.Command`. */
export const osAppProcess: AppProcessAdapter = {
  facts: readProcessFacts,
  members: readGroupMembers,
  self: () => ({ pid: Deno.pid, pgrp: readProcessFacts(Deno.pid)?.pgrp ?? null }),
  kill(target) {
    try {
      Deno.kill(target, "SIGKILL");
      return "";
    } catch (error) {
      return `cannot kill ${target < 0 ? `group ${-target}` : `pid ${target}`}: ${error}`;
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
