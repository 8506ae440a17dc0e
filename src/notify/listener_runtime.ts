/**
 * The listener runtime (a component of `sup run`, loaded only when the
 * config has listeners): starts the config's listeners (built-ins through
 * `builtins.ts`, user functions, plugins), routes each event the bus
 * publishes to the listeners that want it (subscribing by type, never to
 * everything: nobody is made to build events no listener reads), emits the
 * ticks they ask for, and follows reloads: a listener whose entry is
 * unchanged keeps running (a pending batch is not lost), a changed one is
 * closed and started anew, a removed one is closed (plugins disposed).
 *
 * Each listener runs in its own `ListenerWorker` (bounded queue, timeout,
 * failures reported at a bounded rate): nothing a listener does delays the
 * emitter, restarts or heartbeats.
 *
 * @module
 */

import type { EventTypeName } from "../config/event_types.ts";
import { expandOn } from "../config/listeners_section.ts";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { ResolvedListener } from "../config/resolved_listeners.ts";
import { selectJobs } from "../config/selector.ts";
import type { Clock } from "../core/clock.ts";
import type { Component } from "../core/component.ts";
import type { Unsubscribe } from "../core/event_bus.ts";
import type { SupEvent, SupEventType } from "../core/events.ts";
import { type BuiltinLoaders, BUILTINS } from "./builtins.ts";
import { FailureReports, REPORT_INTERVAL_MS } from "./failure_reports.ts";
import type { ListenerContext, RunningListener } from "./listener.ts";
import { createListenerContext, listenerLogger, type ListenerParts } from "./listener_context.ts";
import { errorText, ListenerWorker, type WorkerStats } from "./listener_worker.ts";
import { PluginListener } from "./plugins.ts";
import { Ticks } from "./ticks.ts";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** `config/event_types.ts` lists exactly the `SupEvent` types. */
const _eventTypesMatch: Same<EventTypeName, SupEventType> = true;

/** Tuning (tests); the defaults suit production. */
export interface ListenerRuntimeOptions {
  /** Kind → module of the built-ins. @default BUILTINS */
  builtins?: BuiltinLoaders;
  /** Clock of the ticks. @default the real one */
  clock?: Clock;
  /** Shortest time between two reports of one listener's problem. @default 5000 */
  reportIntervalMs?: number;
  /** How long a listener being closed may take to handle the events waiting for it. @default 2000 */
  closeDrainMs?: number;
}

/** One listener's counters. */
export interface ListenerStats extends WorkerStats {
  /** Its name (`plugin:<name>` for a plugin). */
  name: string;
  /** "builtin", "function" or "plugin". */
  type: ResolvedListener["type"];
}

interface Entry {
  spec: ResolvedListener;
  listener: RunningListener;
  worker: ListenerWorker;
  reports: FailureReports;
  /** Jobs whose events it gets (null: all). */
  jobs: Set<string> | null;
  timeoutMs: number;
}

/** Runs the config's listeners. */
export class ListenerRuntime implements Component {
  #parts: ListenerParts;
  #builtins: BuiltinLoaders;
  #reportMs: number;
  #closeDrainMs: number;
  #entries = new Map<string, Entry>();
  #routes = new Map<SupEventType, Entry[]>();
  #subscriptions = new Map<SupEventType, Unsubscribe>();
  #ticks: Ticks;
  #closed = false;

  /** A runtime over `parts`; `apply(config)` starts the listeners. */
  constructor(parts: ListenerParts, options: ListenerRuntimeOptions = {}) {
    this.#parts = parts;
    this.#builtins = options.builtins ?? BUILTINS;
    this.#reportMs = options.reportIntervalMs ?? REPORT_INTERVAL_MS;
    this.#closeDrainMs = options.closeDrainMs ?? 2_000;
    this.#ticks = new Ticks((event) => parts.api.bus.emit(event), options.clock);
  }

  /** The listeners running, by name. */
  names(): string[] {
    return [...this.#entries.values()].map((e) => e.listener.name);
  }

  /** Each running listener's counters. */
  stats(): ListenerStats[] {
    return [...this.#entries.values()].map((e) => ({
      name: e.listener.name,
      type: e.spec.type,
      ...e.worker.stats(),
    }));
  }

  /** Follows `config.listeners`: keeps the unchanged, replaces the changed, closes the removed. */
  async apply(config: ResolvedConfig): Promise<void> {
    if (this.#closed) return;
    const next = new Map(config.listeners.map((spec) => [spec.name, spec]));
    const removed: Entry[] = [];
    for (const [name, entry] of this.#entries) {
      const spec = next.get(name);
      if (spec && sameListener(entry.spec, spec)) {
        entry.jobs = selected(spec, config);
        continue;
      }
      this.#entries.delete(name);
      removed.push(entry);
    }
    this.#route();
    await Promise.all(removed.map((entry) => this.#close(entry)));
    for (const spec of config.listeners) {
      const kept = this.#entries.get(spec.name);
      if (kept) {
        if (kept.listener.apply) {
          await this.#bounded(kept, "apply", () => kept.listener.apply!(config));
        }
        continue;
      }
      await this.#start(spec, config);
    }
  }

  /** Stops routing events, the ticks, and closes every listener. */
  async close(): Promise<void> {
    this.#closed = true;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    this.#route();
    this.#ticks.close();
    await Promise.all(entries.map((entry) => this.#close(entry)));
  }

  async #start(spec: ResolvedListener, config: ResolvedConfig): Promise<void> {
    const name = spec.type === "plugin" ? `plugin:${spec.name}` : spec.name;
    const log = listenerLogger(name);
    const reports = new FailureReports(
      name,
      (event) => this.#parts.api.bus.emit(event),
      log,
      this.#reportMs,
    );
    const ctx = createListenerContext(this.#parts, name, log);
    let listener: RunningListener;
    try {
      listener = await this.#make(spec, ctx);
    } catch (error) {
      reports.report("threw", `could not start: ${errorText(error)}`);
      reports.close();
      return;
    }
    const timeoutMs = listener.timeoutMs ?? spec.timeoutMs;
    const worker = new ListenerWorker(listener, {
      timeoutMs,
      queueSize: spec.queueSize,
      report: (problem, message) => reports.report(problem, message),
    });
    const entry: Entry = {
      spec,
      listener,
      worker,
      reports,
      jobs: selected(spec, config),
      timeoutMs,
    };
    this.#entries.set(spec.name, entry);
    this.#route();
    if (spec.type === "plugin" && listener instanceof PluginListener) {
      const setup = spec.setup as (ctx: unknown) => unknown;
      if (await this.#bounded(entry, "setup", () => listener.setup(setup)) === "threw") {
        // Not running: what it subscribed is undone; the next reload tries again.
        this.#entries.delete(spec.name);
        this.#route();
        await this.#close(entry);
      }
    }
  }

  /** The running listener of `spec`. Throws what a built-in's import or factory threw. */
  async #make(spec: ResolvedListener, ctx: ListenerContext): Promise<RunningListener> {
    switch (spec.type) {
      case "builtin": {
        const load = this.#builtins[spec.kind];
        if (!load) throw new Error(`no built-in listener "${spec.kind}" in this build of sup`);
        const listener = (await load()).create(spec.options as never, ctx);
        return listener.on === "*" ? { ...listener, on: expandOn(["*"]) } : listener;
      }
      case "function": {
        const handle = spec.handle as unknown as (event: SupEvent, ctx: ListenerContext) => unknown;
        if (typeof handle !== "function") throw new Error("its function is missing");
        return {
          name: ctx.name,
          on: spec.on as SupEventType[],
          handle: (event) => handle(event, ctx) as void | Promise<void>,
        };
      }
      case "plugin":
        if (typeof spec.setup !== "function") throw new Error("its setup function is missing");
        return new PluginListener(ctx, () => this.#route());
    }
  }

  /** Runs `fn` of a listener (setup, apply, close), bounded by its timeout; failures are reported. */
  async #bounded(
    entry: Entry,
    what: string,
    fn: () => unknown,
  ): Promise<"done" | "late" | "threw"> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), entry.timeoutMs);
    });
    try {
      const outcome = await Promise.race([
        Promise.resolve().then(fn).then(() => "done" as const),
        late,
      ]);
      if (outcome === "late") {
        entry.reports.report(
          "timeout",
          `${what} did not settle within ${entry.timeoutMs} ms: sup goes on without waiting`,
        );
      }
      return outcome;
    } catch (error) {
      entry.reports.report("threw", `${what} failed: ${errorText(error)}`);
      return "threw";
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lets `entry` handle what waits for it (bounded), then closes it. */
  async #close(entry: Entry): Promise<void> {
    await entry.worker.idle(Math.min(this.#closeDrainMs, entry.timeoutMs));
    entry.worker.stop();
    if (entry.listener.close) await this.#bounded(entry, "close", () => entry.listener.close!());
    entry.reports.close();
  }

  /** Recomputes which listeners get which event types; subscribes to exactly those types. */
  #route(): void {
    const routes = new Map<SupEventType, Entry[]>();
    for (const entry of this.#entries.values()) {
      for (const type of entry.listener.on as readonly SupEventType[]) {
        const list = routes.get(type);
        if (list) list.push(entry);
        else routes.set(type, [entry]);
      }
    }
    for (const [type, unsubscribe] of this.#subscriptions) {
      if (routes.has(type)) continue;
      unsubscribe();
      this.#subscriptions.delete(type);
    }
    for (const type of routes.keys()) {
      if (this.#subscriptions.has(type)) continue;
      this.#subscriptions.set(type, this.#parts.api.bus.on(type, (event) => this.#dispatch(event)));
    }
    this.#routes = routes;
    this.#ticks.want(routes.keys());
  }

  /** Queues `event` for every listener that wants it. Never calls a listener. */
  #dispatch(event: SupEvent): void {
    const entries = this.#routes.get(event.type);
    if (!entries) return;
    const job = (event as { job?: unknown }).job;
    for (const entry of entries) {
      if (entry.jobs !== null && typeof job === "string" && !entry.jobs.has(job)) continue;
      // A listener never hears of its own failures (one that fails on them would loop).
      if (event.type === "listener.failed" && event.listener === entry.listener.name) continue;
      entry.worker.push(event);
    }
  }
}

/** The jobs a function listener's `jobs` selects now (null: all). */
function selected(spec: ResolvedListener, config: ResolvedConfig): Set<string> | null {
  if (spec.type !== "function" || spec.jobs === null) return null;
  return new Set(selectJobs(spec.jobs, config.jobs));
}

/**
 * True when `b` is the same listener as the running `a`: a built-in with
 * equal options, the very same function or setup, the same bounds.
 */
export function sameListener(a: ResolvedListener, b: ResolvedListener): boolean {
  if (a.type !== b.type || a.timeoutMs !== b.timeoutMs || a.queueSize !== b.queueSize) return false;
  switch (a.type) {
    case "builtin":
      return b.type === "builtin" && a.kind === b.kind &&
        JSON.stringify(a.options) === JSON.stringify(b.options);
    case "function":
      return b.type === "function" && a.handle === b.handle &&
        a.on.join() === b.on.join() && JSON.stringify(a.jobs) === JSON.stringify(b.jobs);
    case "plugin":
      return b.type === "plugin" && a.setup === b.setup;
  }
}
