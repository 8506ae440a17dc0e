/**
 * `sup shutdown`: the running sup stops every job (dependents first, each
 * bounded by its kill timeout) and exits, as SIGTERM does; this waits until
 * it is gone and says so. A guardian (`sup run --guardian`) does not start
 * a sup that was shut down on purpose.
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import type { ControlClient } from "../control/client.ts";
import type { ShutdownReport } from "../core/control_api.ts";
import { readProcStat } from "../core/proc_stat.ts";
import { print, targetFlags, withSup, withTarget } from "./control_args.ts";
import { ExitCode, UserError } from "./exit_codes.ts";

/** The `shutdown` command. */
export function shutdownCommand() {
  return withTarget(
    new Command("shutdown")
      .description("stop every job of a running sup and end it; returns when it is gone")
      .option("--no-wait", "return once sup has started to stop"),
  ).action(async (options, command) => {
    await withSup(targetFlags(command), async (client) => {
      const started = performance.now();
      const report = await client.request<ShutdownReport>("POST", "/api/control/shutdown");
      const jobs = report.running.length === 1 ? "1 job" : `${report.running.length} jobs`;
      print(`Stopping sup ${report.pid} (${jobs} running)...`);
      if (!options.wait) return;
      const bound = report.killTimeoutMs + 15_000;
      const gone = await goneWithin(client, report, bound);
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      if (!gone) {
        throw new UserError(
          `sup ${report.pid} is still running ${seconds} s later; its log says what it waits for`,
          ExitCode.Failure,
        );
      }
      print(`sup ${report.pid} stopped: every job ended, in ${seconds} s`);
    });
  });
}

/** Waits (polling every 20 ms, bounded) until the sup is gone. */
async function goneWithin(
  client: ControlClient,
  report: ShutdownReport,
  timeoutMs: number,
): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  const local = "socket" in client.target;
  while (Date.now() < end) {
    if (local ? !alive(report) : !(await answers(client))) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/** The sup's process still exists (not a zombie, not a new process with its pid). */
function alive(report: ShutdownReport): boolean {
  const stat = readProcStat(report.pid);
  if (stat === null || stat.state === "Z") return false;
  return report.startTime === null || stat.startTime === report.startTime;
}

async function answers(client: ControlClient): Promise<boolean> {
  try {
    const response = await client.fetch("/api/control/info", { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}
