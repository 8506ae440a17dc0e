/**
 * Self-registered apps (Digi appmonitor): a program sup did not start
 * registers a timeout and an action, then refreshes; a missed refresh
 * emits `app.missed` and triggers the action: `kill` (SIGKILL the registered
 * process, and its process group when it leads it), `restart` (that kill
 * when a pid was given, then run the restart command), `reboot` (through
 * `SupervisorApi.reboot`, the one path for machine actions), or `none` (only
 * the event; after `apps.expireAfterMisses` misses in a row the registration
 * expires). Registrations are kept in the runtime state file's "apps"
 * section and reloaded by the next sup, with their deadlines restarted from
 * the load.
 *
 * The config's `apps` section (`apply()`) says what a registration may ask
 * for; `kill_rules.ts` says which pids a sender's user may name; each user
 * holds at most `apps.maxPerUser` registrations. A stall of sup itself gives
 * every deadline a fresh grace period. Repeated log lines are rate-limited.
 * Deadlines work as the heartbeat watchdog's: `refresh()` is a field write;
 * one timer per app re-arms for the remainder when it fires early.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import {
  AppLimitError,
  AppNotAllowedError,
  type AppRegistryApi,
  type RegisteredApp,
  type RegistrationSender,
} from "./registry_api.ts";
import { type AppRegistration, checkRegistration } from "./registration.ts";
import { APPS_SECTION, type SectionStore, storedApp, storedApps } from "./registry_store.ts";

export { APPS_SECTION, type SectionStore };
import type { ResolvedApps, ResolvedConfig } from "../config/resolved.ts";
import { type KillContext, killRefusal, planKill } from "./kill_rules.ts";
import { clip, LineLimiter, skippedNote } from "./line_limiter.ts";
import { policyOf, policyRefusal } from "./app_policy.ts";
import type { SupervisorApi } from "../core/api.ts";
import { type AppProcessAdapter, osAppProcess } from "./app_process.ts";
import { type Clock, realClock, type TimerHandle } from "../core/clock.ts";
import type { StallCheck } from "../core/stall_detector.ts";

/** What a registry is built from. */
export interface AppRegistryOptions {
  /**
   * Where events go (`bus`), how the machine restarts for action "reboot"
   * (`reboot`), and sup's jobs (`status`, to never kill them; optional).
   */
  api: RegistryApi;
  /** Persistence; null keeps registrations in memory only. @default null */
  store?: SectionStore | null;
  /** @default the real OS adapter */
  process?: AppProcessAdapter;
  /** @default the real clock */
  clock?: Clock;
  /** Asked before a deadline is acted on: did sup itself just stall? @default none */
  stall?: StallCheck;
  /** What registrations may ask for until `apply()`; missing fields take the config defaults. @default only "kill" */
  policy?: Partial<ResolvedApps>;
  /** Shortest time between two repeated log lines of one app. @default 5000 */
  logIntervalMs?: number;
}

/** What the registry uses of the supervisor. */
export type RegistryApi =
  & Pick<SupervisorApi, "bus" | "reboot">
  & Partial<Pick<SupervisorApi, "status">>;

/** Most registrations held at once. */
export const MAX_APPS = 10_000;

interface Entry {
  app: RegisteredApp;
  /** Start time of `pid` at registration, to never kill a reused pid. */
  pidStartTime: number | null;
  /** Misses in a row (action "none"). */
  misses: number;
  /** A fresh grace period starts here (load, a miss of "none", `sup.stalled`). */
  graceFrom: number;
  timer: TimerHandle | null;
}

/** Registered apps and their deadlines. */
export class AppRegistry implements AppRegistryApi {
  #api: RegistryApi;
  #store: SectionStore | null;
  #os: AppProcessAdapter;
  #clock: Clock;
  #policy: ResolvedApps;
  #apps = new Map<string, Entry>();
  #logger = getLogger(["sup", "apps"]);
  #lines: LineLimiter;
  #stall: StallCheck | null;
  #offStalled: () => void;

  /** Loads what the store holds (deadlines start now). */
  constructor(options: AppRegistryOptions) {
    this.#api = options.api;
    this.#store = options.store ?? null;
    this.#os = options.process ?? osAppProcess;
    this.#clock = options.clock ?? realClock;
    this.#policy = policyOf(options.policy ?? {});
    this.#lines = new LineLimiter(options.logIntervalMs ?? 5000);
    this.#stall = options.stall ?? null;
    this.#offStalled = this.#api.bus.on("sup.stalled", () => this.#grace());
    this.#load();
  }

  /**
   * Follows the config's `apps` section (a `Component` of `sup run`);
   * registrations it no longer allows are removed, with a warning.
   */
  apply(config: Pick<ResolvedConfig, "apps">): void {
    this.#policy = policyOf(config.apps);
    for (const entry of [...this.#apps.values()]) {
      const refusal = policyRefusal(this.#policy, entry.app.action);
      if (refusal === null) continue;
      const { name, id } = entry.app;
      this.#warn("policy", "Removed registered app {name} ({id}): {refusal}", {
        name,
        id,
        refusal,
      });
      this.#remove(entry);
    }
  }

  /**
   * Registers an app for `sender` (default: sup's own user); throws
   * `AppNotAllowedError` when the config or the pid rules forbid it,
   * `AppLimitError` past `apps.maxPerUser`, `RangeError` naming a bad field.
   */
  register(
    registration: AppRegistration,
    sender: RegistrationSender = { uid: Deno.uid(), name: "sup" },
  ): RegisteredApp {
    const r = checkRegistration(registration);
    const refusal = policyRefusal(this.#policy, r.action);
    if (refusal !== null) throw new AppNotAllowedError(refusal);
    if (this.#apps.size >= MAX_APPS) {
      throw new AppLimitError(
        `Cannot register app "${r.name}": ${MAX_APPS} apps are registered already`,
      );
    }
    const held = this.#countOf(sender.uid);
    if (held >= this.#policy.maxPerUser) {
      const who = sender.uid === null ? "clients whose user cannot be told" : `uid ${sender.uid}`;
      throw new AppLimitError(
        `Cannot register app "${r.name}": ${who} holds ${held} registrations already ` +
          `(apps.maxPerUser is ${this.#policy.maxPerUser})`,
      );
    }
    let pidStartTime: number | null = null;
    if (r.pid !== null) {
      const facts = this.#os.facts(r.pid);
      if (facts === null) throw new RangeError(`pid: no process ${r.pid} is running`);
      if (r.action === "kill" || r.action === "restart") {
        const why = killRefusal(r.pid, facts, sender.uid, this.#killContext());
        if (why !== null) throw new AppNotAllowedError(`pid: ${why}`);
      }
      pidStartTime = facts.startTime;
    }
    const now = this.#clock.now();
    const app: RegisteredApp = {
      ...r,
      id: crypto.randomUUID(),
      registeredAt: now,
      lastRefresh: now,
      uid: sender.uid,
    };
    this.#add(app, pidStartTime);
    this.#save();
    this.#api.bus.emit({
      type: "app.registered",
      id: app.id,
      name: app.name,
      pid: app.pid,
      timeoutMs: app.timeoutMs,
      at: now,
    });
    return { ...app };
  }

  /** Refreshes an app's deadline; false for an unknown id. */
  refresh(id: string): boolean {
    const entry = this.#apps.get(id);
    if (entry === undefined) return false;
    entry.app.lastRefresh = this.#clock.now();
    entry.misses = 0;
    return true;
  }

  /** Removes an app; false for an unknown id. */
  unregister(id: string): boolean {
    const entry = this.#apps.get(id);
    if (entry) this.#remove(entry);
    return entry !== undefined;
  }

  /** Every registered app, oldest first. */
  list(): RegisteredApp[] {
    return [...this.#apps.values()].map((e) => ({ ...e.app }));
  }

  /** Cancels every timer (registrations stay in the store for the next sup). */
  close(): void {
    this.#offStalled();
    for (const entry of this.#apps.values()) this.#clear(entry);
  }

  /** sup stalled: every deadline starts over from now. */
  #grace(): void {
    const now = this.#clock.now();
    for (const entry of this.#apps.values()) {
      entry.graceFrom = now;
      this.#schedule(entry);
    }
  }

  /** Registrations held by `uid`. */
  #countOf(uid: number | null): number {
    let n = 0;
    for (const entry of this.#apps.values()) if (entry.app.uid === uid) n++;
    return n;
  }

  /** What the pid rules compare with: sup, its jobs, the policy. */
  #killContext(): KillContext {
    const self = this.#os.self();
    const jobs = new Map<number, string>();
    for (const job of this.#api.status?.() ?? []) if (job.pid !== null) jobs.set(job.pid, job.name);
    return { supPid: self.pid, supPgrp: self.pgrp, jobs, allowJobs: this.#policy.allowJobs };
  }

  /** A warning, at most one per `key` per interval, then with the count of those skipped. */
  #warn(key: string, message: string, props: Record<string, unknown>): void {
    const skipped = this.#lines.take(key, this.#clock.now());
    if (skipped === null) return;
    this.#logger.warn(message + "{skipped}", { ...props, skipped: skippedNote(skipped) });
  }

  #add(app: RegisteredApp, pidStartTime: number | null): void {
    const graceFrom = app.lastRefresh;
    const entry: Entry = { app, pidStartTime, misses: 0, graceFrom, timer: null };
    this.#apps.set(app.id, entry);
    this.#schedule(entry);
  }

  #remove(entry: Entry): void {
    this.#clear(entry);
    this.#apps.delete(entry.app.id);
    this.#save();
    this.#api.bus.emit({
      type: "app.unregistered",
      id: entry.app.id,
      name: entry.app.name,
      at: this.#clock.now(),
    });
  }

  #clear(entry: Entry): void {
    if (entry.timer !== null) this.#clock.clearTimeout(entry.timer);
    entry.timer = null;
  }

  #schedule(entry: Entry): void {
    this.#clear(entry);
    const now = this.#clock.now();
    const delay = Math.max(0, deadlineOf(entry) - now);
    entry.timer = this.#clock.setTimeout(() => this.#check(entry, now + delay), delay);
  }

  #check(entry: Entry, dueAt: number): void {
    entry.timer = null;
    if (this.#apps.get(entry.app.id) !== entry) return;
    if (this.#stall?.check(dueAt)) return; // fired late, sup did not run: `#grace` moved deadlines
    const now = this.#clock.now();
    const deadline = deadlineOf(entry);
    if (now < deadline) {
      entry.timer = this.#clock.setTimeout(() => this.#check(entry, deadline), deadline - now);
      return;
    }
    try {
      this.#miss(entry, now);
    } catch (error) {
      this.#logger.error("App {name}: action failed: {error}", {
        name: clip(entry.app.name, 100),
        error: String(error),
      });
    }
  }

  #miss(entry: Entry, now: number): void {
    const app = entry.app;
    const detail = `app "${app.name}" (${app.id}) missed its refresh: none for ${
      now - app.lastRefresh
    }ms (timeout ${app.timeoutMs}ms)`;
    this.#api.bus.emit({
      type: "app.missed",
      id: app.id,
      name: app.name,
      pid: app.pid,
      lastSeen: app.lastRefresh,
      timeoutMs: app.timeoutMs,
      action: app.action,
      at: now,
    });
    if (app.action === "none") {
      entry.misses++;
      if (entry.misses >= this.#policy.expireAfterMisses) {
        this.#warn(app.id, "{detail}; expired after {misses} misses in a row", {
          detail,
          misses: entry.misses,
        });
        this.#remove(entry);
        return;
      }
      this.#warn(app.id, "{detail}", { detail });
      entry.graceFrom = now;
      this.#schedule(entry);
      return;
    }
    const done: string[] = [];
    if ((app.action === "kill" || app.action === "restart") && app.pid !== null) {
      done.push(this.#kill(app.pid, entry.pidStartTime, app.uid));
    }
    if (app.action === "restart" && app.restartCommand) {
      done.push(this.#os.run(app.name, app.restartCommand));
    }
    if (app.action === "reboot") {
      this.#api.reboot({ source: "heartbeat", detail }).catch((error) => {
        this.#logger.error("App {name}: reboot failed: {error}", {
          name: app.name,
          error: String(error),
        });
      });
    }
    this.#warn(app.id, "{detail}; action {action}: {done}", {
      detail,
      action: app.action,
      done: done.join("; ") || "reboot",
    });
    // The action ended this registration; a restarted app registers again.
    this.#remove(entry);
  }

  /** Kills what the rules allow of registered process `pid`; returns what was done. */
  #kill(pid: number, startTime: number | null, uid: number | null): string {
    const plan = planKill(
      pid,
      startTime,
      this.#os.facts(pid),
      uid,
      this.#killContext(),
      (pgid) => this.#os.members(pgid),
    );
    if (plan.target === null) return plan.note;
    return this.#os.kill(plan.target) || plan.note;
  }

  #save(): void {
    if (!this.#store) return;
    try {
      this.#store.setSection(APPS_SECTION, [...this.#apps.values()].map(storedApp));
    } catch (error) {
      this.#logger.error("Cannot save registered apps: {error}", { error: String(error) });
    }
  }

  #load(): void {
    const now = this.#clock.now();
    for (
      const item of storedApps(
        this.#store,
        now,
        (error) => this.#warn("load", "{error}", { error }),
      )
    ) {
      if (this.#apps.has(item.app.id)) continue;
      if (this.#countOf(item.app.uid) >= this.#policy.maxPerUser) {
        this.#warn("load", "Dropped a stored app registration: uid {uid} holds {max} already", {
          uid: item.app.uid,
          max: this.#policy.maxPerUser,
        });
        continue;
      }
      this.#add(item.app, item.pidStartTime);
    }
    if (this.#apps.size > 0) {
      this.#logger.info("Reloaded {count} registered apps", { count: this.#apps.size });
    }
  }
}

/** When `entry` misses: its timeout after its last refresh or its latest grace period. */
function deadlineOf(entry: Entry): number {
  return Math.max(entry.app.lastRefresh, entry.graceFrom) + entry.app.timeoutMs;
}
