/**
 * A `SupervisorApi` that records the actions asked of it, for unit tests of
 * probes (the watchdog logic, not the supervisor, is under test). Its run
 * tracker follows its bus as the supervisor's follows the state machine, so
 * a test makes runs start and end with `spawned()`, `exited()` and
 * `stopping()`, which emit what the supervisor would.
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";
import type { JobStatus, SupervisorApi } from "../core/api.ts";
import { EventBus } from "../core/event_bus.ts";
import type { ActionReason, JobState, MachineAction, ReadySource } from "../core/events.ts";
import type { MachineOutcome } from "../core/machine.ts";
import type { SwitchOptions } from "../core/job_switches.ts";
import type { OutputLine } from "../core/ring_buffer.ts";
import { RunTracker } from "../core/run_tracker.ts";

/** One recorded call. */
export interface RecordedAction {
  method:
    | "start"
    | "stop"
    | "restart"
    | "signal"
    | "markReady"
    | "reboot"
    | "shutdown"
    | "enable"
    | "disable";
  job: string;
  /** Who asked `setEnabled` (its `by`). */
  by?: string;
  reason?: ActionReason;
  signal?: Deno.Signal;
}

/** Records actions; `status` is whatever the test puts in `statuses`. */
export class RecordingApi implements SupervisorApi {
  readonly bus = new EventBus();
  /** Follows `bus` (subscribed first, so it agrees with an event before anyone else sees it). */
  readonly runs = new RunTracker();
  readonly actions: RecordedAction[] = [];
  statuses = new Map<string, JobStatus>();
  /** Each job's output lines, as `outputLines` returns them. */
  output = new Map<string, OutputLine[]>();
  #config: ResolvedConfig;
  #now: () => number;

  /** @param config what `config()` returns; @param clock stamps the events it emits */
  constructor(config: ResolvedConfig, clock: { now(): number } = { now: () => Date.now() }) {
    this.#config = config;
    this.#now = () => clock.now();
    this.bus.on("job.state", (e) => this.runs.follow(e));
    this.bus.on("job.ready", (e) => this.runs.follow(e));
  }

  /** What the supervisor emits when `job`'s process `pid` has spawned: a run starts. */
  spawned(job: string, pid: number, at = this.#now()): void {
    this.bus.emit({ type: "job.spawned", job, pid, argv: ["x"], at });
    this.#state(job, "starting", "running", pid, at);
  }

  /** What the supervisor emits when `job`'s process `pid` has exited with code 1: its run ends. */
  exited(job: string, pid: number, to: JobState = "starting", at = this.#now()): void {
    const uptimeMs = at - (this.runs.current(job)?.startedAt ?? at);
    const [code, signal, expected, stderrTail] = [1, null, false, []];
    this.bus.emit({
      type: "job.exited",
      job,
      pid,
      code,
      signal,
      uptimeMs,
      expected,
      stderrTail,
      at,
    });
    this.#state(job, "running", to, null, at, { code, uptimeMs });
  }

  /** What the supervisor emits when `job` is asked to stop: its run ends. */
  stopping(job: string, pid: number, at = this.#now()): void {
    this.#state(job, "running", "stopping", pid, at);
  }

  #state(
    job: string,
    from: JobState,
    to: JobState,
    pid: number | null,
    at: number,
    exit: { code: number | null; uptimeMs: number | null } = { code: null, uptimeMs: null },
  ): void {
    const reason: ActionReason = { source: "manual" };
    this.bus.emit({ type: "job.state", job, from, to, pid, reason, signal: null, ...exit, at });
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
  /** Records (as method "reboot" or "shutdown"); the outcome is "done". */
  machineAction(action: MachineAction, reason: ActionReason): Promise<MachineOutcome> {
    this.actions.push({ method: action, job: "", reason });
    return Promise.resolve({ outcome: "done", command: [] });
  }
  /** Records. */
  async reboot(reason: ActionReason): Promise<void> {
    await this.machineAction("reboot", reason);
  }
  /** Records; marks the current run ready (`job.ready`) as the supervisor does. */
  markReady(job: string, by: ReadySource = "heartbeat"): boolean {
    this.actions.push({ method: "markReady", job });
    const run = this.runs.current(job);
    if (run === undefined) return false;
    if (run.readyAt === null) {
      this.bus.emit({ type: "job.ready", job, pid: run.pid, by, at: this.#now() });
    }
    return true;
  }
  /** Nothing. */
  outputTail(): string[] {
    return [];
  }
  /** What the test put in `output` for the job (last `n`, at or after `since`). */
  outputLines(job: string, n = Infinity, since = -Infinity): OutputLine[] {
    const lines = (this.output.get(job) ?? []).filter((l) => l.time >= since);
    return lines.slice(Math.max(0, lines.length - n));
  }
  /** Records. */
  setEnabled(job: string, enabled: boolean, options?: SwitchOptions): Promise<boolean> {
    this.actions.push({ method: enabled ? "enable" : "disable", job, by: options?.by });
    return Promise.resolve(true);
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
    disabledBy: null,
    disabledAt: null,
    ...fields,
  };
}
