/**
 * `bounce`: restarts a job every `bounceMs` after it was spawned (pmtr's
 * `bounce every`). The timer is armed on `job.spawned` and cleared when that
 * process exits or is being stopped, so a job that crashes and comes back
 * gets a full period again.
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import type { Unsubscribe } from "../core/event_bus.ts";
import { formatDuration } from "../config/units.ts";
import { type Clock, realClock, type TimerHandle } from "../core/clock.ts";
import { requestAction } from "./probe_action.ts";

interface Armed {
  pid: number;
  timer: TimerHandle;
}

/** Restarts jobs periodically; see the module doc. */
export class BounceProbe {
  #api: SupervisorApi;
  #clock: Clock;
  /** Period per job that has one. */
  #periods = new Map<string, number>();
  #armed = new Map<string, Armed>();
  #off: Unsubscribe[];

  /** Listens to the bus at once; `apply` tells it which jobs bounce. */
  constructor(api: SupervisorApi, clock: Clock = realClock) {
    this.#api = api;
    this.#clock = clock;
    this.#off = [
      api.bus.on("job.spawned", (event) => this.#arm(event.job, event.pid, event.at)),
      api.bus.on("job.exited", (event) => {
        if (this.#armed.get(event.job)?.pid === event.pid) this.#disarm(event.job);
      }),
      api.bus.on("job.state", (event) => {
        if (event.to !== "running" && event.to !== "starting") this.#disarm(event.job);
      }),
    ];
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
      const status = this.#api.jobStatus(name);
      if (status?.state === "running" && status.pid !== null && status.startedAt !== null) {
        this.#arm(name, status.pid, status.startedAt);
      }
    }
  }

  /** Clears every timer and stops listening. */
  close(): void {
    for (const off of this.#off) off();
    for (const name of [...this.#armed.keys()]) this.#disarm(name);
    this.#periods.clear();
  }

  /** Jobs with a bounce timer running (for tests and the panel). */
  armed(): string[] {
    return [...this.#armed.keys()];
  }

  #arm(job: string, pid: number, spawnedAt: number): void {
    const period = this.#periods.get(job);
    if (period === undefined) return;
    this.#disarm(job);
    const delay = Math.max(0, spawnedAt + period - this.#clock.now());
    const timer = this.#clock.setTimeout(() => {
      this.#armed.delete(job);
      requestAction(this.#api, "restart", job, {
        source: "bounce",
        detail: `restarted every ${formatDuration(period)}`,
      });
    }, delay);
    this.#armed.set(job, { pid, timer });
  }

  #disarm(job: string): void {
    const armed = this.#armed.get(job);
    if (!armed) return;
    this.#clock.clearTimeout(armed.timer);
    this.#armed.delete(job);
  }
}
