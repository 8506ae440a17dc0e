/**
 * The counts behind `/metrics` that only events tell: restarts of each job
 * by reason, failed health checks, notifications sent, failed and dropped,
 * listener failures, and whether sup is starting, running or stopping (for
 * `/healthz`). Small and always on from before the first job starts, so a
 * first scrape sees everything since sup started; the Prometheus side
 * (`metrics_exporter.ts`) is loaded only when `/metrics` is first read.
 *
 * A restart is what `JobStatus.restarts` counts: every spawn of a job but
 * its first (since sup started, or since the job was added back), labelled
 * with the source of the reason that started it (`crash`, `manual`,
 * `heartbeat`, `memmon`...).
 *
 * @module
 */

import type { EventBus, Unsubscribe } from "../core/event_bus.ts";

/** A counter keyed by label values (joined with "\u0000"). */
export type LabelledCounts = Map<string, number>;

/** Counters of one app channel (OSC, WebSocket, pmtr control). */
export interface ChannelCounts {
  /** Datagrams or frames received. */
  received: number;
  /** Heartbeats accepted; null for a channel that carries none. */
  heartbeats: number | null;
  /** Input refused, by reason code. */
  rejectedBy: Record<string, number>;
}

/** Where sup is in its life, for `/healthz`. */
export type SupPhase = "starting" | "running" | "stopping";

/** Counts from events since sup started. */
export class MetricsCounters {
  /** `job\0reason` → restarts. */
  readonly restarts: LabelledCounts = new Map();
  /** `job\0check` → failed checks. */
  readonly healthFailures: LabelledCounts = new Map();
  /** notifier → messages delivered. */
  readonly notificationsSent: LabelledCounts = new Map();
  /** notifier → failed attempts (each `notify.failed`, retried or not). */
  readonly notificationsFailed: LabelledCounts = new Map();
  /** notifier → messages dropped from a full queue. */
  readonly notificationsDropped: LabelledCounts = new Map();
  /** `listener\0problem` → failures. */
  readonly listenerFailures: LabelledCounts = new Map();
  #phase: SupPhase = "starting";
  /** Jobs that have spawned once since they were added: their next spawn is a restart. */
  #spawned = new Set<string>();
  #off: Unsubscribe[];

  /** Subscribes to `bus`; `close()` unsubscribes. */
  constructor(bus: EventBus) {
    this.#off = [
      bus.on("job.state", (e) => {
        if (e.to !== "starting") return;
        if (this.#spawned.has(e.job)) add(this.restarts, [e.job, e.reason.source]);
        else this.#spawned.add(e.job);
      }),
      bus.on("config.reloaded", (e) => {
        for (const job of e.removed) this.#forget(job);
      }),
      bus.on("health.failed", (e) => add(this.healthFailures, [e.job, e.check])),
      bus.on("notify.sent", (e) => add(this.notificationsSent, [e.notifier])),
      bus.on("notify.failed", (e) => add(this.notificationsFailed, [e.notifier])),
      bus.on("notify.dropped", (e) => add(this.notificationsDropped, [e.notifier], e.dropped)),
      bus.on("listener.failed", (e) => add(this.listenerFailures, [e.listener, e.problem])),
      bus.on("sup.started", () => this.#phase = "running"),
      bus.on("sup.stopping", () => this.#phase = "stopping"),
    ];
  }

  /** Starting (before the jobs were started), running, or stopping. */
  get phase(): SupPhase {
    return this.#phase;
  }

  /** Unsubscribes from the bus. */
  close(): void {
    for (const off of this.#off.splice(0)) off();
  }

  /** A removed job's series go with it (a job added back starts from 0, as its status does). */
  #forget(job: string): void {
    this.#spawned.delete(job);
    for (const counts of [this.restarts, this.healthFailures]) {
      for (const key of counts.keys()) if (splitKey(key)[0] === job) counts.delete(key);
    }
  }
}

/** The key of label values. */
export function labelKey(values: readonly string[]): string {
  return values.join("\u0000");
}

/** The label values of a key. */
export function splitKey(key: string): string[] {
  return key.split("\u0000");
}

function add(counts: LabelledCounts, values: readonly string[], by = 1): void {
  const key = labelKey(values);
  counts.set(key, (counts.get(key) ?? 0) + by);
}
