/**
 * Cron schedules: `schedule.start`, `schedule.stop` and `schedule.restart`
 * of each job, run with `croner` (5 fields, or 6 with seconds first) in the
 * machine's time zone. A scheduled start or restart leaves a disabled job
 * alone, and a scheduled restart leaves a job stopped on purpose (by hand or
 * by a scheduled stop) stopped.
 *
 * @module
 */

import { Cron } from "croner";
import { getLogger } from "@logtape/logtape";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import { type Clock, realClock } from "../core/clock.ts";
import { mayRestart, type ProbeAction, requestAction } from "./probe_action.ts";

/** One cron schedule of one job. */
export interface ScheduledAction {
  job: string;
  action: ProbeAction;
  /** The cron expression. */
  cron: string;
}

/** Runs the jobs' cron schedules; see the module doc. */
export class ScheduleProbe {
  #api: SupervisorApi;
  #clock: Clock;
  /** Running crons by `job \0 action \0 expression`. */
  #crons = new Map<string, { entry: ScheduledAction; cron: Cron }>();

  /** `clock` is what `nextRuns` counts from (croner's timers themselves use real time). */
  constructor(api: SupervisorApi, clock: Clock = realClock) {
    this.#api = api;
    this.#clock = clock;
  }

  /** Starts the schedules of `config`: unchanged ones keep running, others are replaced. */
  apply(config: ResolvedConfig): void {
    const wanted = new Map<string, ScheduledAction>();
    for (const job of config.jobs) {
      for (const action of ["start", "stop", "restart"] as const) {
        const cron = job.schedule[action];
        if (cron !== null) {
          wanted.set(`${job.name}\0${action}\0${cron}`, { job: job.name, action, cron });
        }
      }
    }
    for (const [key, { cron }] of this.#crons) {
      if (wanted.has(key)) continue;
      cron.stop();
      this.#crons.delete(key);
    }
    for (const [key, entry] of wanted) {
      if (this.#crons.has(key)) continue;
      const cron = this.#schedule(entry);
      if (cron) this.#crons.set(key, { entry, cron });
    }
  }

  /** Stops every schedule. */
  close(): void {
    for (const { cron } of this.#crons.values()) cron.stop();
    this.#crons.clear();
  }

  /** Each schedule with its next run after the clock's now (null: never again). */
  nextRuns(): (ScheduledAction & { at: number | null })[] {
    const from = new Date(this.#clock.now());
    return [...this.#crons.values()].map(({ entry, cron }) => ({
      ...entry,
      at: cron.nextRun(from)?.getTime() ?? null,
    }));
  }

  #schedule(entry: ScheduledAction): Cron | null {
    const { job, action, cron: expression } = entry;
    const reason = { source: "schedule" as const, detail: `cron "${expression}" (${action})` };
    try {
      return new Cron(expression, {
        catch: (error) => this.#warn(entry, error),
      }, () => {
        const status = this.#api.jobStatus(job);
        if (!status || (action !== "stop" && status.disabled)) return;
        if (action === "restart" && !mayRestart(this.#api, job)) return;
        requestAction(this.#api, action, job, reason);
      });
    } catch (error) {
      // Validation checks expressions with croner too; this only guards against a gap there.
      this.#warn(entry, error);
      return null;
    }
  }

  #warn(entry: ScheduledAction, error: unknown): void {
    getLogger(["sup", "probe", "schedule"]).warn(
      "Schedule {cron} ({action}) of job {job} failed: {error}",
      {
        ...entry,
        error: error instanceof Error ? error.message : String(error),
      },
    );
  }
}
