/**
 * A `SupervisorApi` that records the actions asked of it, for unit tests of
 * probes (the watchdog logic, not the supervisor, is under test).
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";
import type { JobStatus, SupervisorApi } from "../core/api.ts";
import { EventBus } from "../core/event_bus.ts";
import type { ActionReason } from "../core/events.ts";

/** One recorded call. */
export interface RecordedAction {
  method: "start" | "stop" | "restart" | "signal" | "markReady" | "reboot";
  job: string;
  reason?: ActionReason;
  signal?: Deno.Signal;
}

/** Records actions; `status` is whatever the test puts in `statuses`. */
export class RecordingApi implements SupervisorApi {
  readonly bus = new EventBus();
  readonly actions: RecordedAction[] = [];
  statuses = new Map<string, JobStatus>();
  #config: ResolvedConfig;

  /** @param config what `config()` returns */
  constructor(config: ResolvedConfig) {
    this.#config = config;
  }
  /** The config given. */
  config(): ResolvedConfig {
    return this.#config;
  }
  /** Replaces the config. */
  setConfig(config: ResolvedConfig): void {
    this.#config = config;
  }
  /** The statuses set by the test. */
  status(): JobStatus[] {
    return [...this.statuses.values()];
  }
  /** One status set by the test. */
  jobStatus(name: string): JobStatus | undefined {
    return this.statuses.get(name);
  }
  /** Records. */
  start(job: string, reason: ActionReason): void {
    this.actions.push({ method: "start", job, reason });
  }
  /** Records. */
  stop(job: string, reason: ActionReason): Promise<void> {
    this.actions.push({ method: "stop", job, reason });
    return Promise.resolve();
  }
  /** Records. */
  restart(job: string, reason: ActionReason): void {
    this.actions.push({ method: "restart", job, reason });
  }
  /** Records. */
  signal(job: string, signal: Deno.Signal, reason: ActionReason): void {
    this.actions.push({ method: "signal", job, signal, reason });
  }
  /** Records. */
  reboot(reason: ActionReason): Promise<void> {
    this.actions.push({ method: "reboot", job: "", reason });
    return Promise.resolve();
  }
  /** Records; true. */
  markReady(job: string): boolean {
    this.actions.push({ method: "markReady", job });
    return true;
  }
  /** Nothing. */
  outputTail(): string[] {
    return [];
  }
}

/** A job status for tests: a stopped job with no history, with `fields` on top. */
export function jobStatus(name: string, fields: Partial<JobStatus> = {}): JobStatus {
  return {
    name,
    state: "stopped",
    pid: null,
    ready: false,
    startedAt: null,
    lastExit: null,
    retries: 0,
    restarts: 0,
    lastReason: null,
    fatalMessage: null,
    disabled: false,
    ...fields,
  };
}
