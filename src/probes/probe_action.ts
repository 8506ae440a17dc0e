/**
 * How the depends, bounce and schedule probes ask the supervisor for an
 * action: through `SupervisorApi` only, with a reason, and never throwing
 * into a timer or a file watcher (a job removed meanwhile is just skipped).
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { SupervisorApi } from "../core/api.ts";
import type { ActionReason, JobState } from "../core/events.ts";

/** The actions a probe may ask for. */
export type ProbeAction = "start" | "stop" | "restart";

/** States in which a job was deliberately stopped (by hand, a schedule, or the config). */
const STOPPED_STATES: ReadonlySet<JobState> = new Set(["stopped", "stopping"]);

/**
 * True when an automatic restart may touch the job: it exists, is not
 * disabled and was not stopped on purpose.
 */
export function mayRestart(api: SupervisorApi, job: string): boolean {
  const status = api.jobStatus(job);
  return status !== undefined && !status.disabled && !STOPPED_STATES.has(status.state);
}

/** Asks for `action` on `job`; failures are logged under `["sup","probe"]`. */
export function requestAction(
  api: SupervisorApi,
  action: ProbeAction,
  job: string,
  reason: ActionReason,
): void {
  const report = (error: unknown) =>
    getLogger(["sup", "probe"]).warn("Cannot {action} job {job} for {source}: {error}", {
      action,
      job,
      source: reason.source,
      error: error instanceof Error ? error.message : String(error),
    });
  try {
    if (action === "stop") api.stop(job, reason).catch(report);
    else if (action === "start") api.start(job, reason);
    else api.restart(job, reason);
  } catch (error) {
    report(error);
  }
}
