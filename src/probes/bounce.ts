/**
 * `bounce`: restarts a job every `bounceMs` after it was spawned (pmtr's
 * `bounce every`). The timer is armed when a run starts (`SupervisorApi.runs`)
 * and cleared when that run ends (its process exits or is being stopped), so
 * a job that crashes and comes back gets a full period again.
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import type { Unsubscribe } from "../core/event_bus.ts";
import { formatDuration } from "../config/units.ts";
import { type Clock, realClock, type TimerHandle } from "../core/clock.ts";
import type { Run } from "../core/run_tracker.ts";
import { requestAction } from "./probe_action.ts";

interface Armed {
  run: Run;
  timer: TimerHandle;
}

/** Restarts jobs periodically; see the module doc. */
export class BounceProbe {
  #api: SupervisorApi;
  #clock: Clock;
  /** Period per job that has one. */
  #periods = new Map<string, number>();
  #armed = new Map<string, Armed>();
  #off: Unsubscribe;

  /** Follows the supervisor's runs at once; `apply` tells it which jobs bounce. */
  constructor(api: SupervisorApi, clock: Clock = realClock) {
    this.#api = api;
    this.#clock = clock;
    this.#off = api.runs.subscribe({
      started: (run) => this.#arm(run),
      ended: (run) => {
        if (this.#armed.get(run.job)?.run === run) this.#disarm(run.job);
      },
    });
  }

  /** Takes the bounce periods of `config`; jobs already running get a timer for the rest of their period. */
  apply(config: ResolvedConfig): void {
    const periods = new Map<string, number>();
    for (const job of config.jobs) if (job.bounceMs !== null) periods.set(job.name, job.bounceMs);
    for (const name of this.#armed.keys()) {
      if (periods.get(name) !== this.#periods.get(name)) this.#disarm(name);
    }
    this.#periods = periods;
    for (const name of periods.keys()) {
      if (this.#armed.has(name)) continue;
      const run = this.#api.runs.current(name);
      if (run !== undefined) this.#arm(run);
    }
  }

  /** Clears every timer and stops listening. */
  close(): void {
    this.#off();
    for (const name of [...this.#armed.keys()]) this.#disarm(name);
    this.#periods.clear();
  }

  /** Jobs with a bounce timer running (for tests and the panel). */
  armed(): string[] {
    return [...this.#armed.keys()];
  }

  #arm(run: Run): void {
    const job = run.job;
    const period = this.#periods.get(job);
    if (period === undefined) return;
    this.#disarm(job);
    const delay = Math.max(0, run.startedAt + period - this.#clock.now());
    const timer = this.#clock.setTimeout(() => {
      this.#armed.delete(job);
      requestAction(this.#api, "restart", job, {
        source: "bounce",
        detail: `restarted every ${formatDuration(period)}`,
      });
    }, delay);
    this.#armed.set(job, { run, timer });
  }

  #disarm(job: string): void {
    const armed = this.#armed.get(job);
    if (!armed) return;
    this.#clock.clearTimeout(armed.timer);
    this.#armed.delete(job);
  }
}
