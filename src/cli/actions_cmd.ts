/**
 * `sup start|stop|restart|enable|disable <job|group:x|all>...` and
 * `sup signal <SIG> <job|group:x|all>...`: asks the running sup, prints
 * one line per job with what happened, and exits 1 when a job could not be
 * brought where it was asked (or a name is unknown: then nothing is done,
 * and the message suggests the nearest name).
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import type { JobActionReport } from "../core/control_api.ts";
import { print, targetFlags, withSup, withTarget } from "./control_args.ts";
import { ExitCode, UserError } from "./exit_codes.ts";

const ABOUT: Record<string, string> = {
  start: "start jobs (returns once each runs)",
  stop: "stop jobs (returns once their process groups are gone)",
  restart: "restart jobs (returns as soon as each new process runs)",
  enable: "let jobs run again after sup disable, and start them",
  disable:
    "stop jobs and keep them stopped, across restarts of sup, until enable or a config change",
  signal: "send a signal to jobs' process groups",
};

const SELECTORS = 'jobs: names, "group:<name>", or "all"';

/** The command for one of the job actions. */
export function actionCommand(action: string): () => Command {
  return () => {
    if (action === "signal") {
      return withTarget(
        new Command(action).description(ABOUT[action])
          .argument("<signal>", "HUP, SIGHUP, USR1, TERM, KILL...")
          .argument("<jobs...>", SELECTORS),
      ).action(async (signal, jobs, _opts, self) => {
        await act(self as unknown as Command, action, jobs, signal);
      }) as unknown as Command;
    }
    return withTarget(
      new Command(action).description(ABOUT[action]).argument("<jobs...>", SELECTORS),
    ).action(async (jobs, _opts, self) => {
      await act(self as unknown as Command, action, jobs);
    }) as unknown as Command;
  };
}

async function act(command: Command, action: string, jobs: string[], signal?: string) {
  const report = await withSup(
    targetFlags(command),
    (client) =>
      client.request<JobActionReport>("POST", `/api/control/jobs/${action}`, { jobs, signal }),
  );
  const width = Math.max(...report.results.map((r) => r.job.length));
  for (const result of report.results) {
    print(`${`${result.job}:`.padEnd(width + 1)} ${result.message}`);
  }
  const failed = report.results.filter((r) => !r.ok).map((r) => r.job);
  if (failed.length > 0) {
    const which = failed.length === 1 ? `job "${failed[0]}"` : `${failed.length} jobs`;
    throw new UserError(`sup ${action}: ${which} did not ${verb(action)}`, ExitCode.Failure);
  }
}

function verb(action: string): string {
  switch (action) {
    case "start":
    case "restart":
      return "start";
    case "signal":
      return "get the signal";
    default:
      return action;
  }
}
