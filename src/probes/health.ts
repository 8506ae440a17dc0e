/**
 * The health watchdog: runs each job's `health` check (HTTP, TCP or a
 * command) against each of its runs (`SupervisorApi.runs`: from the job
 * entering `running` to it leaving), and
 *
 * - marks the run ready at its first passing check (`markReady(job,
 *   "health")`: `job.ready`, then jobs waiting with `after` start);
 * - after `failures` failing checks in a row takes the job's `action`
 *   (restart, kill, reboot, or none) through the one supervisor path, with
 *   reason `health`;
 * - emits `health.failed` for each counted failure (with its reason) and
 *   `health.recovered` when a check passes after failures.
 *
 * Timing: checks of a run never overlap: the next one is due `interval`
 * after the start of the last, and never before the last has ended. A check
 * still running at `timeout` fails at once ("timeout after Nms") and is
 * aborted (its connection closed, its command's process group killed).
 * During the start period (`startPeriod` from the spawn) failures do not
 * count, and until its first pass the run is checked sooner (100 ms after
 * the spawn, then twice as long each time, at most every second or
 * `interval`). Checks end with the run.
 *
 * Time sup did not run is not the job's fault: on `sup.stalled` the check in
 * progress is dropped (neither pass nor failure) and the next is due one
 * interval from now; a timeout that fires late asks the stall check first.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { ResolvedHealth } from "../config/health_section.ts";
import type { ResolvedConfig, ResolvedJob } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import type { Component } from "../core/component.ts";
import type { Unsubscribe } from "../core/event_bus.ts";
import { watchdogAction } from "./probe_action.ts";
import type { Run } from "../core/run_tracker.ts";
import { type Clock, realClock, type TimerHandle } from "../core/clock.ts";
import type { StallCheck } from "../core/stall_detector.ts";
import { type HealthCheckRunner, type ProbeResult, runHealthCheck } from "./health_check.ts";

/** What a health watchdog is built from. */
export interface HealthWatchdogOptions {
  /** @default the real clock */
  clock?: Clock;
  /** Asked before a late timer blames the job: did sup itself stall? @default none */
  stall?: StallCheck;
  /** Runs one check. @default the real HTTP, TCP and command checks */
  runCheck?: HealthCheckRunner;
}

/** The first start-period check is this long after the spawn; each next one twice as long after. */
export const FIRST_CHECK_MS = 100;
/** Start-period checks are at most this far apart. */
export const START_SPACING_MAX_MS = 1_000;

/** One check in progress. */
interface Check {
  abort: AbortController;
  /** Settles when the check's own work has ended (after an abort too). */
  ended: Promise<void>;
}

interface Watch {
  job: ResolvedJob;
  health: ResolvedHealth;
  /** The run checked; null when none (or the watchdog acted on it). */
  run: Run | null;
  /** Counted failures in a row. */
  failures: number;
  /** Spacing of the next start-period check. */
  startSpacing: number;
  /** Start-period failures count from here at the earliest (after a stall). */
  graceFrom: number;
  timer: TimerHandle | null;
  check: Check | null;
  /** Bumped whenever what is in flight must be forgotten (run ended, stall, config). */
  generation: number;
}

const logger = getLogger(["sup", "health"]);

/** Runs every job's health check; a `Component` (`apply` on each config, `close` at the end). */
export class HealthWatchdog implements Component {
  #api: SupervisorApi;
  #clock: Clock;
  #stall: StallCheck | null;
  #runCheck: HealthCheckRunner;
  #watches = new Map<string, Watch>();
  #offRuns: Unsubscribe;
  #offStalled: Unsubscribe;
  #closed = false;

  /** Follows the supervisor's runs at once (those going on included). */
  constructor(api: SupervisorApi, options: HealthWatchdogOptions = {}) {
    this.#api = api;
    this.#clock = options.clock ?? realClock;
    this.#stall = options.stall ?? null;
    this.#runCheck = options.runCheck ?? runHealthCheck;
    this.#offStalled = api.bus.on("sup.stalled", () => this.#grace());
    this.#offRuns = api.runs.subscribe({
      started: (run) => this.#started(run),
      ended: (run) => this.#ended(run),
    });
  }

  /** Takes a config: watches jobs with a `health` option, forgets the others. */
  apply(config: ResolvedConfig): void {
    if (this.#closed) return;
    const names = new Set<string>();
    for (const job of config.jobs) {
      if (job.health === null) continue;
      names.add(job.name);
      const w = this.#watches.get(job.name);
      if (w === undefined) {
        const run = this.#api.runs.current(job.name);
        const fresh = this.#watch(job, job.health);
        if (run !== undefined) this.#arm(fresh, run);
      } else {
        w.job = job;
        w.health = job.health;
      }
    }
    for (const [name, w] of this.#watches) {
      if (names.has(name)) continue;
      this.#disarm(w);
      this.#watches.delete(name);
    }
  }

  /** Stops every check and timer. */
  close(): void {
    this.#closed = true;
    this.#offRuns();
    this.#offStalled();
    for (const w of this.#watches.values()) this.#disarm(w);
    this.#watches.clear();
  }

  /** Jobs whose runs are being checked now (tests, status). */
  checking(): string[] {
    return [...this.#watches.values()].filter((w) => w.run !== null).map((w) => w.job.name);
  }

  #watch(job: ResolvedJob, health: ResolvedHealth): Watch {
    const w: Watch = {
      job,
      health,
      run: null,
      failures: 0,
      startSpacing: FIRST_CHECK_MS,
      graceFrom: 0,
      timer: null,
      check: null,
      generation: 0,
    };
    this.#watches.set(job.name, w);
    return w;
  }

  #started(run: Run): void {
    if (this.#closed) return;
    // The running config is the supervisor's (a reload may not have reached `apply` yet).
    let job: ResolvedJob | undefined;
    try {
      job = this.#api.config().jobs.find((j) => j.name === run.job);
    } catch {
      job = undefined;
    }
    const known = this.#watches.get(run.job);
    if (job?.health == null) {
      if (known) this.#disarm(known);
      return;
    }
    const w = known ?? this.#watch(job, job.health);
    w.job = job;
    w.health = job.health;
    this.#arm(w, run);
  }

  #ended(run: Run): void {
    const w = this.#watches.get(run.job);
    if (w?.run === run) this.#disarm(w);
  }

  #arm(w: Watch, run: Run): void {
    this.#disarm(w);
    w.run = run;
    w.failures = 0;
    w.graceFrom = 0;
    w.startSpacing = Math.min(FIRST_CHECK_MS, w.health.intervalMs);
    const delay = run.readyAt === null ? w.startSpacing : w.health.intervalMs;
    this.#schedule(w, Math.max(0, run.startedAt + delay - this.#clock.now()));
  }

  /** Forgets the run: no timer, the check in flight aborted and its result ignored. */
  #disarm(w: Watch): void {
    w.generation++;
    w.run = null;
    if (w.timer !== null) this.#clock.clearTimeout(w.timer);
    w.timer = null;
    w.check?.abort.abort(new Error("the run ended"));
    w.check = null;
  }

  /** sup stalled: drop the checks in flight, next checks one interval from now. */
  #grace(): void {
    for (const w of this.#watches.values()) this.#graceOne(w);
    logger.debug("sup stalled: health checks in progress dropped, next ones one interval on");
  }

  #graceOne(w: Watch): void {
    const run = w.run;
    if (run === null) return;
    w.generation++;
    w.check?.abort.abort(new Error("sup stalled"));
    w.check = null;
    w.graceFrom = this.#clock.now();
    if (w.timer !== null) this.#clock.clearTimeout(w.timer);
    w.timer = null;
    this.#schedule(w, this.#spacing(w, run));
  }

  #schedule(w: Watch, delay: number): void {
    const generation = w.generation;
    const dueAt = this.#clock.now() + delay;
    w.timer = this.#clock.setTimeout(() => {
      w.timer = null;
      if (w.generation !== generation || w.run === null) return;
      // Fired late because sup itself did not run? Then `#grace` has just rescheduled it.
      if (this.#stall?.check(dueAt)) {
        if (w.generation === generation) this.#graceOne(w);
        return;
      }
      this.#start(w, w.run);
    }, delay);
  }

  /** Runs one check of `run` now. */
  #start(w: Watch, run: Run): void {
    const generation = w.generation;
    const startedAt = this.#clock.now();
    const { timeoutMs } = w.health;
    const abort = new AbortController();
    let judged = false;
    const judge = (result: ProbeResult) => {
      if (judged) return;
      judged = true;
      this.#clock.clearTimeout(timeoutTimer);
      if (w.generation !== generation || w.run !== run) return;
      this.#judge(w, run, result);
    };
    const timeoutDue = startedAt + timeoutMs;
    const timeoutTimer = this.#clock.setTimeout(() => {
      if (judged) return;
      if (this.#stall?.check(timeoutDue)) {
        // `#grace` dropped this check (and, reported before, it is dropped now).
        if (w.generation === generation) this.#graceOne(w);
        return;
      }
      abort.abort(new Error(`timeout after ${timeoutMs}ms`));
      judge({ ok: false, reason: `timeout after ${timeoutMs}ms` });
    }, timeoutMs);
    let work: Promise<ProbeResult>;
    try {
      work = this.#runCheck(w.health.check, w.job, abort.signal);
    } catch (error) {
      work = Promise.reject(error);
    }
    const ended = work.then(judge, (error) => judge({ ok: false, reason: String(error) }));
    w.check = { abort, ended };
    void ended.then(() => {
      if (w.check?.abort === abort) w.check = null;
      if (w.generation !== generation || w.run !== run || w.timer !== null) return;
      const due = startedAt + this.#spacing(w, run);
      this.#schedule(w, Math.max(0, due - this.#clock.now()));
    });
  }

  /** Time from the start of one check to the start of the next. */
  #spacing(w: Watch, run: Run): number {
    if (run.readyAt !== null || !this.#inStartPeriod(w, run)) return w.health.intervalMs;
    w.startSpacing = Math.min(w.startSpacing * 2, START_SPACING_MAX_MS, w.health.intervalMs);
    return w.startSpacing;
  }

  #inStartPeriod(w: Watch, run: Run): boolean {
    const from = Math.max(run.startedAt, w.graceFrom);
    return this.#clock.now() < from + w.health.startPeriodMs;
  }

  #judge(w: Watch, run: Run, result: ProbeResult): void {
    const job = w.job.name;
    const check = w.health.check.kind;
    if (result.ok) {
      if (run.readyAt === null && this.#api.runs.current(job) === run) {
        this.#api.markReady(job, "health");
      }
      if (w.failures > 0) {
        const failures = w.failures;
        w.failures = 0;
        logger.info("Job {job}: health check passes again after {failures} failures", {
          job,
          failures,
        });
        const at = this.#clock.now();
        this.#api.bus.emit({ type: "health.recovered", job, check, failures, at });
      }
      return;
    }
    if (run.readyAt === null && this.#inStartPeriod(w, run)) {
      logger.debug("Job {job}: health check failed in the start period: {reason}", {
        job,
        reason: result.reason,
      });
      return;
    }
    w.failures++;
    const { failures, action } = w.health;
    const at = this.#clock.now();
    this.#api.bus.emit({
      type: "health.failed",
      job,
      check,
      reason: result.reason,
      failures: w.failures,
      at,
    });
    const detail = `${check} check failed ${w.failures} time${w.failures === 1 ? "" : "s"} ` +
      `in a row: ${result.reason}`;
    if (w.failures < failures || action === "none") {
      logger.warn("Job {job}: {detail}", { job, detail, action });
      return;
    }
    logger.warn("Job {job}: {detail}; action {action}", { job, detail, action });
    // The action ends this run; the next run is checked again.
    this.#disarm(w);
    watchdogAction(this.#api, "health", job, run.pid, action, detail);
  }
}
