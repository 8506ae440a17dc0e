/**
 * The heartbeat watchdog (ampm's heartbeatTimeout / startupTimeout). Watches
 * each run of a job (`SupervisorApi.runs`: from the job entering `running` to
 * it leaving); the first heartbeat of a run asks the supervisor to mark it
 * ready (readiness is the supervisor's: the watchdog reads it off the run); a
 * run that is not ready within `startupTimeoutMs`, or goes quiet for longer
 * than `timeoutMs`, gets `heartbeat.missed` and its `action` through the one
 * supervisor action path (`restart`, `signal` for kill, `reboot`), each with
 * its reason and its event.
 *
 * Cost: `beat()` is a map lookup, a field write and a field read (is the run
 * ready yet); it allocates nothing. There is one timer per watched job and it
 * is never reset by a heartbeat: when it fires it compares `now - lastSeen`
 * with the timeout and, if the job beat in the meantime, re-arms for the
 * remainder. A job beating at 60/s with a 10 s timeout costs
 * one timer callback per 10 s, and a miss is seen at the deadline itself.
 *
 * Time sup did not run is not the job's fault: on `sup.stalled` (see
 * `core/stall_detector.ts`) every deadline gets a fresh grace period (a
 * full timeout from now), and a deadline that fires first asks the stall
 * check before it blames the job.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { ResolvedConfig, ResolvedHeartbeat } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import type { Unsubscribe } from "../core/event_bus.ts";
import { watchdogAction } from "./probe_action.ts";
import type { Run } from "../core/run_tracker.ts";
import { type Clock, realClock, type TimerHandle } from "../core/clock.ts";
import type { StallCheck } from "../core/stall_detector.ts";

/** What a watchdog is built from. */
export interface HeartbeatWatchdogOptions {
  /** @default the real clock */
  clock?: Clock;
  /** Asked before a deadline is acted on: did sup itself just stall? @default none */
  stall?: StallCheck;
}

/** What the watchdog knows of one job (plain data, for status). */
export interface HeartbeatInfo {
  /** A run is being watched (from its start until it ends or the watchdog acted on it). */
  armed: boolean;
  /** When the last heartbeat of the run arrived (ms since epoch), or null. */
  lastSeen: number | null;
  /** The heartbeat config, or null when the job has none (heartbeats still mark it ready). */
  heartbeat: ResolvedHeartbeat | null;
}

interface Watch {
  name: string;
  heartbeat: ResolvedHeartbeat | null;
  /** The run watched (its readiness is the supervisor's); null when none. */
  run: Run | null;
  /** The run the watchdog acted on: not watched again (it is ending). */
  actedOn: Run | null;
  /** Last heartbeat of the run, for timing only; 0 = none yet. */
  lastSeen: number;
  /** A miss with action "none" was reported; the next beat re-arms. */
  missed: boolean;
  /** Deadlines count from here at the earliest (a fresh grace period after a stall); 0 = none. */
  graceFrom: number;
  timer: TimerHandle | null;
}

/** Watches heartbeats of every job; `apply(config)` on each config, `close()` at the end. */
export class HeartbeatWatchdog {
  #api: SupervisorApi;
  #clock: Clock;
  #watches = new Map<string, Watch>();
  #off: Unsubscribe | null;
  #offStalled: Unsubscribe | null;
  #stall: StallCheck | null;
  #logger = getLogger(["sup", "heartbeat"]);

  /** Follows the supervisor's runs (those going on included); `apply(config)` gives the settings. */
  constructor(api: SupervisorApi, options: HeartbeatWatchdogOptions = {}) {
    this.#api = api;
    this.#clock = options.clock ?? realClock;
    this.#stall = options.stall ?? null;
    this.#offStalled = api.bus.on("sup.stalled", () => this.#grace());
    this.#off = api.runs.subscribe({
      started: (run) => this.#started(run),
      ended: (run) => this.#ended(run),
    });
  }

  /**
   * Records a heartbeat for `job` (the hot path). The first one of a run
   * that is not ready yet asks the supervisor to mark it ready. False when
   * the job is unknown or has no run being watched.
   */
  beat(job: string): boolean {
    const w = this.#watches.get(job);
    if (w === undefined || w.run === null) return false;
    w.lastSeen = this.#clock.now();
    if (w.missed || w.run.readyAt === null) this.#firstOrRecovered(w, w.run);
    return true;
  }

  /** What the watchdog knows of `job`, or undefined for a job not in the config. */
  info(job: string): HeartbeatInfo | undefined {
    const w = this.#watches.get(job);
    if (!w) return undefined;
    return {
      armed: w.run !== null,
      lastSeen: w.lastSeen === 0 ? null : w.lastSeen,
      heartbeat: w.heartbeat,
    };
  }

  /**
   * Takes a config (first or reloaded): watches its jobs, forgets removed
   * ones, applies changed heartbeat settings at once, and watches the runs
   * going on of jobs it did not know yet.
   */
  apply(config: ResolvedConfig): void {
    const names = new Set<string>();
    for (const job of config.jobs) {
      names.add(job.name);
      const w = this.#watch(job.name);
      const changed = JSON.stringify(w.heartbeat) !== JSON.stringify(job.heartbeat);
      w.heartbeat = job.heartbeat;
      if (w.run === null) {
        const run = this.#api.runs.current(job.name);
        if (run !== undefined && run !== w.actedOn) this.#arm(w, run);
      } else if (changed) {
        this.#schedule(w);
      }
    }
    for (const [name, w] of this.#watches) {
      if (!names.has(name)) {
        this.#clear(w);
        this.#watches.delete(name);
      }
    }
  }

  /** Stops watching: unsubscribes and cancels every timer. */
  close(): void {
    this.#off?.();
    this.#off = null;
    this.#offStalled?.();
    this.#offStalled = null;
    for (const w of this.#watches.values()) this.#clear(w);
    this.#watches.clear();
  }

  #watch(name: string): Watch {
    let w = this.#watches.get(name);
    if (!w) {
      w = {
        name,
        heartbeat: null,
        run: null,
        actedOn: null,
        lastSeen: 0,
        missed: false,
        graceFrom: 0,
        timer: null,
      };
      this.#watches.set(name, w);
    }
    return w;
  }

  #started(run: Run): void {
    const w = this.#watches.get(run.job) ?? this.#adopt(run.job);
    if (w) this.#arm(w, run);
  }

  #ended(run: Run): void {
    const w = this.#watches.get(run.job);
    if (!w) return;
    if (w.actedOn === run) w.actedOn = null;
    if (w.run !== run) return;
    this.#clear(w);
    w.run = null;
  }

  /** Watches `run`; one already ready when first seen counts from now as its last beat. */
  #arm(w: Watch, run: Run): void {
    this.#clear(w);
    w.run = run;
    w.actedOn = null;
    w.lastSeen = run.readyAt === null ? 0 : this.#clock.now();
    w.missed = false;
    w.graceFrom = 0;
    this.#schedule(w);
  }

  /** sup stalled: every watched run gets a full timeout from now. */
  #grace(): void {
    const now = this.#clock.now();
    for (const w of this.#watches.values()) {
      if (w.run === null) continue;
      w.graceFrom = now;
      this.#schedule(w);
    }
    this.#logger.debug("sup stalled: heartbeat deadlines start again from now");
  }

  /** A job whose run started before `apply()` saw its config: look it up live. */
  #adopt(job: string): Watch | null {
    try {
      const config = this.#api.config().jobs.find((j) => j.name === job);
      if (!config) return null;
      const w = this.#watch(job);
      w.heartbeat = config.heartbeat;
      return w;
    } catch {
      return null;
    }
  }

  #clear(w: Watch): void {
    if (w.timer !== null) this.#clock.clearTimeout(w.timer);
    w.timer = null;
  }

  #firstOrRecovered(w: Watch, run: Run): void {
    if (run.readyAt === null) {
      try {
        this.#api.markReady(w.name);
      } catch (error) {
        this.#logger.error("Cannot mark job {job} ready: {error}", {
          job: w.name,
          error: String(error),
        });
      }
    }
    if (w.missed) {
      w.missed = false;
      this.#logger.info("Job {job} is sending heartbeats again", { job: w.name });
    }
    // The startup timer may be far longer than the heartbeat timeout.
    if (w.run !== null) this.#schedule(w);
  }

  /** The moment the job is late: startup deadline until the run is ready, else last beat + timeout. */
  #deadline(w: Watch, run: Run, hb: ResolvedHeartbeat): number {
    if (run.readyAt === null) return Math.max(run.startedAt, w.graceFrom) + hb.startupTimeoutMs;
    return Math.max(w.lastSeen === 0 ? run.readyAt : w.lastSeen, w.graceFrom) + hb.timeoutMs;
  }

  #schedule(w: Watch): void {
    this.#clear(w);
    const hb = w.heartbeat;
    if (hb === null || w.run === null || w.missed) return;
    const now = this.#clock.now();
    const delay = Math.max(0, this.#deadline(w, w.run, hb) - now);
    w.timer = this.#clock.setTimeout(() => this.#check(w, now + delay), delay);
  }

  /** The timer of `w`, due at `dueAt`, fired. */
  #check(w: Watch, dueAt: number): void {
    w.timer = null;
    const hb = w.heartbeat;
    const run = w.run;
    if (hb === null || run === null || this.#watches.get(w.name) !== w) return;
    // Fired late because sup itself did not run? Then `#grace` has just moved every deadline.
    if (this.#stall?.check(dueAt)) {
      if (w.timer === null && w.run !== null) this.#schedule(w);
      return;
    }
    const now = this.#clock.now();
    const deadline = this.#deadline(w, run, hb);
    if (now < deadline) {
      w.timer = this.#clock.setTimeout(() => this.#check(w, deadline), deadline - now);
      return;
    }
    this.#miss(w, run, hb, now);
  }

  #miss(w: Watch, run: Run, hb: ResolvedHeartbeat, now: number): void {
    const first = run.readyAt === null;
    const lastSeen = first || w.lastSeen === 0 ? null : w.lastSeen;
    const timeoutMs = first ? hb.startupTimeoutMs : hb.timeoutMs;
    const detail = first
      ? `no first heartbeat within ${hb.startupTimeoutMs}ms of the start`
      : `no heartbeat for ${now - (lastSeen ?? run.readyAt!)}ms (timeout ${hb.timeoutMs}ms)`;
    this.#api.bus.emit({ type: "heartbeat.missed", job: w.name, lastSeen, timeoutMs, at: now });
    if (hb.action === "none") {
      w.missed = true;
      this.#logger.warn("Job {job}: {detail}", { job: w.name, detail });
      return;
    }
    // The action ends this run; the next run is watched again.
    w.run = null;
    w.actedOn = run;
    this.#logger.warn("Job {job}: {detail}; action {action}", {
      job: w.name,
      detail,
      action: hb.action,
    });
    watchdogAction(this.#api, "heartbeat", w.name, run.pid, hb.action, detail);
  }
}
