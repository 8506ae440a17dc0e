/**
 * Self-registered apps (Digi appmonitor): a program sup did not start
 * registers a timeout and an action, then refreshes; a missed refresh
 * emits `app.missed` and triggers the action: `kill` (SIGKILL the registered
 * pid's process group), `restart` (kill that group when a pid was given, then
 * run the restart command), `reboot` (through `SupervisorApi.reboot`, the one
 * path for machine actions), or `none` (only the event). Registrations are kept in
 * the runtime state file's "apps" section and reloaded by the next sup, with
 * their deadlines restarted from the load.
 *
 * The config's `apps` section (`apply()`) says what a registration may ask
 * for: any local client can register, and a restart command runs as sup.
 *
 * Deadlines work as the heartbeat watchdog's: `refresh()` is a field write;
 * one timer per app re-arms for the remainder when it fires early.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { AppNotAllowedError, type AppRegistryApi, type RegisteredApp } from "./registry_api.ts";
import { type AppRegistration, checkRegistration } from "./registration.ts";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import { type AppProcessAdapter, osAppProcess } from "./app_process.ts";
import { type Clock, realClock, type TimerHandle } from "../core/clock.ts";

/** Where registrations persist: the runtime state file's sections (`RuntimeStateFile` fits). */
export interface SectionStore {
  section(name: string): unknown;
  setSection(name: string, value: unknown): void;
}

/** What a registry is built from. */
export interface AppRegistryOptions {
  /** Where events go (`bus`) and how the machine restarts for action "reboot" (`reboot`). */
  api: Pick<SupervisorApi, "bus" | "reboot">;
  /** Persistence; null keeps registrations in memory only. @default null */
  store?: SectionStore | null;
  /** @default the real OS adapter */
  process?: AppProcessAdapter;
  /** @default the real clock */
  clock?: Clock;
  /** What registrations may ask for until `apply()`. @default the config default: only "kill" */
  policy?: ResolvedConfig["apps"];
}

/** Why each action is refused unless the config allows it. */
const RISKS = {
  kill: "any local client could kill the process group of any pid",
  restart: "the restart command comes from any local client and runs as sup's user",
  reboot: "any local client could restart the machine",
} as const;

/** The state file section holding registrations. */
export const APPS_SECTION = "apps";
/** Most registrations held at once. */
export const MAX_APPS = 10_000;

interface Entry {
  app: RegisteredApp;
  /** Start time of `pid` at registration, to never kill a reused pid. */
  pidStartTime: number | null;
  missed: boolean;
  timer: TimerHandle | null;
}

type StoredApp = RegisteredApp & { pidStartTime: number | null };

/** Registered apps and their deadlines. */
export class AppRegistry implements AppRegistryApi {
  #api: Pick<SupervisorApi, "bus" | "reboot">;
  #store: SectionStore | null;
  #os: AppProcessAdapter;
  #clock: Clock;
  #policy: ResolvedConfig["apps"];
  #apps = new Map<string, Entry>();
  #logger = getLogger(["sup", "apps"]);

  /** Loads what the store holds (deadlines start now). */
  constructor(options: AppRegistryOptions) {
    this.#api = options.api;
    this.#store = options.store ?? null;
    this.#os = options.process ?? osAppProcess;
    this.#clock = options.clock ?? realClock;
    this.#policy = options.policy ?? { enabled: true, allow: ["kill"] };
    this.#load();
  }

  /**
   * Follows the config's `apps` section (a `Component` of `sup run`);
   * registrations it no longer allows are removed, with a warning.
   */
  apply(config: Pick<ResolvedConfig, "apps">): void {
    const policy = config.apps;
    this.#policy = { enabled: policy.enabled, allow: [...policy.allow] };
    for (const entry of [...this.#apps.values()]) {
      const refusal = this.#refusal(entry.app.action);
      if (refusal === null) continue;
      const { name, id } = entry.app;
      this.#logger.warn("Removed registered app {name} ({id}): {refusal}", { name, id, refusal });
      this.#remove(entry);
    }
  }

  /** Registers an app; throws `AppNotAllowedError` when the config forbids it, `RangeError` naming a bad field. */
  register(registration: AppRegistration): RegisteredApp {
    const r = checkRegistration(registration);
    const refusal = this.#refusal(r.action);
    if (refusal !== null) throw new AppNotAllowedError(refusal);
    if (this.#apps.size >= MAX_APPS) {
      throw new RangeError(
        `Cannot register app "${r.name}": ${MAX_APPS} apps are registered already`,
      );
    }
    let pidStartTime: number | null = null;
    if (r.pid !== null) {
      pidStartTime = this.#os.startTime(r.pid);
      if (pidStartTime === null) throw new RangeError(`pid: no process ${r.pid} is running`);
    }
    const now = this.#clock.now();
    const app: RegisteredApp = {
      ...r,
      id: crypto.randomUUID(),
      registeredAt: now,
      lastRefresh: now,
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
    if (entry.missed) {
      entry.missed = false;
      this.#schedule(entry);
    }
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
    for (const entry of this.#apps.values()) this.#clear(entry);
  }

  /** Why the config refuses `action`, or null when it allows it. */
  #refusal(action: AppRegistration["action"]): string | null {
    if (!this.#policy.enabled) {
      return "self-registration is turned off (apps.enabled is false in the config)";
    }
    if (action === "none" || this.#policy.allow.includes(action)) return null;
    return `action "${action}" is not allowed: add "${action}" to apps.allow in the config (${
      RISKS[action]
    })`;
  }

  #add(app: RegisteredApp, pidStartTime: number | null): void {
    const entry: Entry = { app, pidStartTime, missed: false, timer: null };
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
    const delay = Math.max(0, entry.app.lastRefresh + entry.app.timeoutMs - this.#clock.now());
    entry.timer = this.#clock.setTimeout(() => this.#check(entry), delay);
  }

  #check(entry: Entry): void {
    entry.timer = null;
    if (this.#apps.get(entry.app.id) !== entry) return;
    const now = this.#clock.now();
    const deadline = entry.app.lastRefresh + entry.app.timeoutMs;
    if (now < deadline) {
      entry.timer = this.#clock.setTimeout(() => this.#check(entry), deadline - now);
      return;
    }
    try {
      this.#miss(entry, now);
    } catch (error) {
      this.#logger.error("App {name}: action failed: {error}", {
        name: entry.app.name,
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
      entry.missed = true;
      this.#logger.warn("{detail}", { detail });
      return;
    }
    const done: string[] = [];
    if ((app.action === "kill" || app.action === "restart") && app.pid !== null) {
      done.push(this.#os.killGroup(app.pid, entry.pidStartTime));
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
    this.#logger.warn("{detail}; action {action}: {done}", {
      detail,
      action: app.action,
      done: done.join("; ") || "reboot",
    });
    // The action ended this registration; a restarted app registers again.
    this.#remove(entry);
  }

  #save(): void {
    if (!this.#store) return;
    const apps: StoredApp[] = [...this.#apps.values()].map((e) => ({
      ...e.app,
      pidStartTime: e.pidStartTime,
    }));
    try {
      this.#store.setSection(APPS_SECTION, apps);
    } catch (error) {
      this.#logger.error("Cannot save registered apps: {error}", { error: String(error) });
    }
  }

  #load(): void {
    const stored = this.#store?.section(APPS_SECTION);
    if (!Array.isArray(stored)) return;
    const now = this.#clock.now();
    for (const item of stored as StoredApp[]) {
      try {
        const r = checkRegistration(item);
        if (typeof item?.id !== "string" || this.#apps.has(item.id)) continue;
        const registeredAt = typeof item.registeredAt === "number" ? item.registeredAt : now;
        const pidStartTime = typeof item.pidStartTime === "number" ? item.pidStartTime : null;
        this.#add({ ...r, id: item.id, registeredAt, lastRefresh: now }, pidStartTime);
      } catch (error) {
        this.#logger.warn("Dropped a stored app registration: {error}", { error: String(error) });
      }
    }
    if (this.#apps.size > 0) {
      this.#logger.info("Reloaded {count} registered apps", { count: this.#apps.size });
    }
  }
}
