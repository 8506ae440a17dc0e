/**
 * How probes ask the supervisor for an action (depends, bounce and
 * schedule: `requestAction`; the heartbeat and health watchdogs:
 * `watchdogAction`): through `SupervisorApi` only, with a reason, and never
 * throwing into a timer or a file watcher (a job removed meanwhile is just
 * skipped).
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

/** What a watchdog does when a job fails it (heartbeat, health check). */
export type WatchdogAction = "restart" | "kill" | "reboot" | "none";

/**
 * Carries out a watchdog's `action` on `job` (whose run has `pid`) through
 * the supervisor's one path, with `source` and `detail` as the reason;
 * failures are logged under `["sup", source]`, never thrown.
 */
export function watchdogAction(
  api: SupervisorApi,
  source: "heartbeat" | "health",
  job: string,
  pid: number,
  action: WatchdogAction,
  detail: string,
): void {
  const logger = getLogger(["sup", source]);
  const reason: ActionReason = { source, detail };
  try {
    switch (action) {
      case "restart":
        return api.restart(job, reason);
      case "kill":
        return api.signal(job, "SIGKILL", reason);
      case "reboot":
        api.reboot({ source, detail: `job "${job}" (pid ${pid}): ${detail}` })
          .catch((error) => logger.error("Reboot failed: {error}", { error: String(error) }));
        return;
      case "none":
        return;
      default: {
        const never: never = action;
        throw new Error(`Unknown ${source} action ${JSON.stringify(never)}`);
      }
    }
  } catch (error) {
    logger.error("{source} action {action} on job {job} failed: {error}", {
      source,
      job,
      action,
      error: String(error),
    });
  }
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
