/**
 * The heartbeat watchdog (ampm's heartbeatTimeout / startupTimeout). Armed
 * when a job is spawned; the first heartbeat marks the job ready; a job that
 * sends no first heartbeat within `startupTimeoutMs`, or goes quiet for longer
 * than `timeoutMs`, gets `heartbeat.missed` and its `action` through the one
 * supervisor action path.
 *
 * Cost: `beat()` is a map lookup and a field write. There is one timer per
 * watched job and it is never reset by a heartbeat: when it fires it compares
 * `now - lastSeen` with the timeout and, if the job beat in the meantime,
 * re-arms for the remainder. A job beating at 60/s with a 10 s timeout costs
 * one timer callback per 10 s, and a miss is seen at the deadline itself.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { ResolvedConfig, ResolvedHeartbeat } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import type { Unsubscribe } from "../core/event_bus.ts";
import { type Clock, realClock, type TimerHandle } from "../core/clock.ts";
import type { RebootAdapter } from "../core/reboot.ts";

/** What a watchdog is built from. */
export interface HeartbeatWatchdogOptions {
  /** Runs the machine reboot for action "reboot". */
  reboot: RebootAdapter;
  /** @default the real clock */
  clock?: Clock;
}

/** What the watchdog knows of one job (plain data, for status). */
export interface HeartbeatInfo {
  /** A process is being watched (spawned and not yet exited or stopping). */
  armed: boolean;
  /** When the last heartbeat since the spawn arrived (ms since epoch), or null. */
  lastSeen: number | null;
  /** The heartbeat config, or null when the job has none (heartbeats still mark it ready). */
  heartbeat: ResolvedHeartbeat | null;
}

interface Watch {
  name: string;
  heartbeat: ResolvedHeartbeat | null;
  /** The watched process; 0 when disarmed. */
  pid: number;
  spawnedAt: number;
  /** Last heartbeat since the spawn; 0 = none yet. */
  lastSeen: number;
  /** A miss with action "none" was reported; the next beat re-arms. */
  missed: boolean;
  timer: TimerHandle | null;
}

/** Watches heartbeats of every job; `apply(config)` on each config, `close()` at the end. */
export class HeartbeatWatchdog {
  #api: SupervisorApi;
  #reboot: RebootAdapter;
  #clock: Clock;
  #watches = new Map<string, Watch>();
  #off: Unsubscribe[];
  #logger = getLogger(["sup", "heartbeat"]);

  /** Subscribes to the supervisor's bus; call `apply(config)` to pick up running jobs. */
  constructor(api: SupervisorApi, options: HeartbeatWatchdogOptions) {
    this.#api = api;
    this.#reboot = options.reboot;
    this.#clock = options.clock ?? realClock;
    const bus = api.bus;
    this.#off = [
      bus.on("job.spawned", (e) => this.#arm(e.job, e.pid, e.at)),
      bus.on("job.exited", (e) => this.#disarm(e.job, e.pid)),
      bus.on("job.state", (e) => {
        if (e.to === "stopping") this.#disarm(e.job, null);
      }),
    ];
  }

  /**
   * Records a heartbeat for `job` (the hot path). The first one since the
   * spawn marks the job ready. False when the job is unknown or has no live
   * process being watched.
   */
  beat(job: string): boolean {
    const w = this.#watches.get(job);
    if (w === undefined || w.pid === 0) return false;
    const first = w.lastSeen === 0;
    w.lastSeen = this.#clock.now();
    if (first || w.missed) this.#firstOrRecovered(w, first);
    return true;
  }

  /** What the watchdog knows of `job`, or undefined for a job not in the config. */
  info(job: string): HeartbeatInfo | undefined {
    const w = this.#watches.get(job);
    if (!w) return undefined;
    return {
      armed: w.pid !== 0,
      lastSeen: w.lastSeen === 0 ? null : w.lastSeen,
      heartbeat: w.heartbeat,
    };
  }

  /**
   * Takes a config (first or reloaded): watches its jobs, forgets removed
   * ones, applies changed heartbeat settings at once, and arms jobs that are
   * already running (a watchdog created after the supervisor started them).
   */
  apply(config: ResolvedConfig): void {
    const names = new Set<string>();
    for (const job of config.jobs) {
      names.add(job.name);
      const w = this.#watch(job.name);
      const changed = JSON.stringify(w.heartbeat) !== JSON.stringify(job.heartbeat);
      w.heartbeat = job.heartbeat;
      if (w.pid === 0) {
        const status = this.#api.jobStatus(job.name);
        if (status?.pid && status.state === "running") {
          this.#arm(job.name, status.pid, status.startedAt ?? this.#clock.now());
          if (status.ready) {
            w.lastSeen = this.#clock.now();
            this.#schedule(w);
          }
        }
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
    for (const off of this.#off) off();
    this.#off = [];
    for (const w of this.#watches.values()) this.#clear(w);
    this.#watches.clear();
  }

  #watch(name: string): Watch {
    let w = this.#watches.get(name);
    if (!w) {
      w = {
        name,
        heartbeat: null,
        pid: 0,
        spawnedAt: 0,
        lastSeen: 0,
        missed: false,
        timer: null,
      };
      this.#watches.set(name, w);
    }
    return w;
  }

  #arm(job: string, pid: number, at: number): void {
    const w = this.#watches.get(job) ?? this.#adopt(job);
    if (!w) return;
    this.#clear(w);
    w.pid = pid;
    w.spawnedAt = at;
    w.lastSeen = 0;
    w.missed = false;
    this.#schedule(w);
  }

  /** A job spawned before `apply()` saw its config: look it up live. */
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

  #disarm(job: string, pid: number | null): void {
    const w = this.#watches.get(job);
    if (!w || w.pid === 0 || (pid !== null && pid !== w.pid)) return;
    this.#clear(w);
    w.pid = 0;
  }

  #clear(w: Watch): void {
    if (w.timer !== null) this.#clock.clearTimeout(w.timer);
    w.timer = null;
  }

  #firstOrRecovered(w: Watch, first: boolean): void {
    if (first) {
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
    if (w.pid !== 0) this.#schedule(w);
  }

  /** The moment the job is late: startup deadline before the first beat, else last beat + timeout. */
  #deadline(w: Watch, hb: ResolvedHeartbeat): number {
    return w.lastSeen === 0 ? w.spawnedAt + hb.startupTimeoutMs : w.lastSeen + hb.timeoutMs;
  }

  #schedule(w: Watch): void {
    this.#clear(w);
    const hb = w.heartbeat;
    if (hb === null || w.pid === 0 || w.missed) return;
    const delay = Math.max(0, this.#deadline(w, hb) - this.#clock.now());
    w.timer = this.#clock.setTimeout(() => this.#check(w), delay);
  }

  #check(w: Watch): void {
    w.timer = null;
    const hb = w.heartbeat;
    if (hb === null || w.pid === 0 || this.#watches.get(w.name) !== w) return;
    const now = this.#clock.now();
    const deadline = this.#deadline(w, hb);
    if (now < deadline) {
      w.timer = this.#clock.setTimeout(() => this.#check(w), deadline - now);
      return;
    }
    this.#miss(w, hb, now);
  }

  #miss(w: Watch, hb: ResolvedHeartbeat, now: number): void {
    const first = w.lastSeen === 0;
    const lastSeen = first ? null : w.lastSeen;
    const timeoutMs = first ? hb.startupTimeoutMs : hb.timeoutMs;
    const detail = first
      ? `no first heartbeat within ${hb.startupTimeoutMs}ms of the start`
      : `no heartbeat for ${now - w.lastSeen}ms (timeout ${hb.timeoutMs}ms)`;
    this.#api.bus.emit({ type: "heartbeat.missed", job: w.name, lastSeen, timeoutMs, at: now });
    if (hb.action === "none") {
      w.missed = true;
      this.#logger.warn("Job {job}: {detail}", { job: w.name, detail });
      return;
    }
    // The action ends this process; the next `job.spawned` arms again.
    const pid = w.pid;
    w.pid = 0;
    this.#logger.warn("Job {job}: {detail}; action {action}", {
      job: w.name,
      detail,
      action: hb.action,
    });
    try {
      this.#act(w.name, pid, hb.action, detail);
    } catch (error) {
      this.#logger.error("Heartbeat action {action} on job {job} failed: {error}", {
        job: w.name,
        action: hb.action,
        error: String(error),
      });
    }
  }

  #act(job: string, pid: number, action: ResolvedHeartbeat["action"], detail: string): void {
    const reason = { source: "heartbeat", detail } as const;
    switch (action) {
      case "restart":
        return this.#api.restart(job, reason);
      case "kill":
        return this.#api.signal(job, "SIGKILL", reason);
      case "reboot":
        void this.#reboot(`job "${job}" (pid ${pid}): ${detail}`);
        return;
      case "none":
        return;
      default: {
        const never: never = action;
        throw new Error(`Unknown heartbeat action ${JSON.stringify(never)}`);
      }
    }
  }
}
