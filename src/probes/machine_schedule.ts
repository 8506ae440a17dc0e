/**
 * What asks for machine actions by itself (ampm's persistence settings):
 * `machine.restartSchedule` and `machine.shutdownSchedule` (cron, with
 * `croner`, in the machine's time zone) and `machine.restartAfter`, which
 * restarts the machine once a job has been restarted that many times
 * because it went away (ampm's `restartMachineAfter`: its count of "app went
 * away" restarts, reset by the app's schedules). Every action goes through
 * `SupervisorApi.machineAction`, the one path with its reboot-loop guard.
 *
 * @module
 */

import { Cron } from "croner";
import { getLogger } from "@logtape/logtape";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import type { Unsubscribe } from "../core/event_bus.ts";
import type { ActionReason, ActionSource, EventOf, MachineAction } from "../core/events.ts";

/** Restarts that mean the job went away: it crashed, went quiet, failed its checks or httpok. */
const WENT_AWAY: ReadonlySet<ActionSource> = new Set(["crash", "heartbeat", "health", "httpok"]);

/** Runs the machine's schedules and counts restarts for `restartAfter`; see the module doc. */
export class MachineScheduleProbe {
  #api: SupervisorApi;
  #crons = new Map<MachineAction, { expression: string; cron: Cron }>();
  #restartAfter: number | null = null;
  /** Restarts of each job since its count last started again. */
  #counts = new Map<string, number>();
  #off: Unsubscribe[] = [];
  #log = getLogger(["sup", "machine"]);

  /** Follows `api`'s bus from the first `apply`. */
  constructor(api: SupervisorApi) {
    this.#api = api;
  }

  /** Starts, keeps or stops the schedules and the restart count as `config` says. */
  apply(config: ResolvedConfig): void {
    const { restartSchedule, shutdownSchedule, restartAfter } = config.machine;
    this.#schedule("reboot", restartSchedule, "machine.restartSchedule");
    this.#schedule("shutdown", shutdownSchedule, "machine.shutdownSchedule");
    this.#restartAfter = restartAfter;
    const jobs = new Set(config.jobs.map((job) => job.name));
    for (const job of this.#counts.keys()) if (!jobs.has(job)) this.#counts.delete(job);
    if (restartAfter === null) this.#unfollow();
    else if (this.#off.length === 0) {
      this.#off = [
        this.#api.bus.on("job.state", (event) => this.#onState(event)),
        this.#api.bus.on("job.action", (event) => {
          // A job's own schedule starts its count again (ampm resets it on scheduled actions).
          if (event.reason.source === "schedule") this.#counts.delete(event.job);
        }),
      ];
    }
  }

  /** Stops the schedules and the count. */
  close(): void {
    for (const { cron } of this.#crons.values()) cron.stop();
    this.#crons.clear();
    this.#unfollow();
  }

  /** Each schedule's next run (ms since epoch; null: never again), for tests and status. */
  nextRuns(): { action: MachineAction; expression: string; at: number | null }[] {
    return [...this.#crons].map(([action, { expression, cron }]) => ({
      action,
      expression,
      at: cron.nextRun()?.getTime() ?? null,
    }));
  }

  /** Restarts counted per job (for tests and status). */
  counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  #unfollow(): void {
    for (const off of this.#off) off();
    this.#off = [];
    this.#counts.clear();
  }

  #onState(event: EventOf<"job.state">): void {
    if (event.to !== "starting" || !WENT_AWAY.has(event.reason.source)) return;
    const limit = this.#restartAfter;
    if (limit === null) return;
    const count = (this.#counts.get(event.job) ?? 0) + 1;
    if (count < limit) {
      this.#counts.set(event.job, count);
      return;
    }
    // Whatever comes of it (done, refused by the guard), every count starts again.
    this.#counts.clear();
    const last = event.reason.detail ? ` (last: ${event.reason.detail})` : "";
    this.#act("reboot", {
      source: event.reason.source,
      detail: `job "${event.job}" was restarted ${count} times, machine.restartAfter is ` +
        `${limit}${last}`,
    });
  }

  #schedule(action: MachineAction, expression: string | null, option: string): void {
    const running = this.#crons.get(action);
    if (running?.expression === expression) return;
    running?.cron.stop();
    this.#crons.delete(action);
    if (expression === null) return;
    const reason: ActionReason = { source: "schedule", detail: `${option} "${expression}"` };
    try {
      const cron = new Cron(expression, {
        catch: (error) => this.#warn(option, error),
      }, () => this.#act(action, reason));
      this.#crons.set(action, { expression, cron });
    } catch (error) {
      // Validation checks expressions with croner too; this only guards against a gap there.
      this.#warn(option, error);
    }
  }

  #act(action: MachineAction, reason: ActionReason): void {
    this.#api.machineAction(action, reason).catch((error) => this.#warn("machine action", error));
  }

  #warn(what: string, error: unknown): void {
    this.#log.warn("{what} failed: {error}", {
      what,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
