/**
 * `GET /metrics` in the Prometheus text format, with prom-client (checked on
 * Deno 2.9.6: its `cluster`, `v8` and `perf_hooks` imports load). Imported
 * by `metrics_routes.ts` only when `/metrics` is first read, so a sup
 * nobody scrapes never loads it.
 *
 * Each scrape reads the jobs' statuses, one pass over `/proc` for their
 * process groups (`metrics_proc.ts`), the channels' counters and the event
 * counts (`metrics_counters.ts`), and sets every series afresh, so a
 * removed job's series disappear. prom-client's default Node.js metrics are
 * left out: under Deno several are misnamed (`nodejs_version_info` says
 * v26) or wrong (`monitorEventLoopDelay` saw 27 ms of a 100 ms block here);
 * sup's own RSS, CPU, uptime and event loop lag are measured here instead.
 *
 * @module
 */

import { Counter, Gauge, Registry } from "prom-client";
import type { SupervisorApi } from "../core/api.ts";
import type { JobState } from "../core/events.ts";
import {
  type ChannelCounts,
  type LabelledCounts,
  type MetricsCounters,
  splitKey,
} from "./metrics_counters.ts";
import { CLOCK_TICKS, parseStatUsage, readGroupUsage } from "./metrics_proc.ts";

/** What the exporter reads at each scrape. */
export interface MetricsSources {
  /** Job statuses and runs. */
  api: Pick<SupervisorApi, "status" | "runs">;
  /** Counts from events. */
  counters: MetricsCounters;
  /** When the last heartbeat of the job arrived (ms since epoch), or null. */
  lastHeartbeat(job: string): number | null;
  /** The app channels' counters, by channel name. */
  channels(): Record<string, ChannelCounts>;
}

const JOB_STATES: readonly JobState[] = [
  "stopped",
  "starting",
  "running",
  "backoff",
  "stopping",
  "exited",
  "fatal",
];

/** How often the event loop lag is sampled, and over how long its maximum is kept. */
const LAG_TICK_MS = 500;
const LAG_WINDOW = 20;

/** The Prometheus side of `/metrics`; `close()` stops its lag sampler. */
export class MetricsExporter {
  /** Content type of `render()`'s text. */
  readonly contentType: string;
  #registry = new Registry();
  #sources: MetricsSources;
  /** The job's run (its pid) and the most CPU time it showed, so a run's figure never goes down. */
  #cpu = new Map<string, { pid: number; seconds: number }>();
  #lagSamples: number[] = [];
  #lagTimer: ReturnType<typeof setInterval>;

  /** Registers every metric and starts sampling the event loop. */
  constructor(sources: MetricsSources) {
    this.#sources = sources;
    this.contentType = this.#registry.contentType;
    let due = performance.now() + LAG_TICK_MS;
    this.#lagTimer = setInterval(() => {
      const now = performance.now();
      this.#lagSamples.push(Math.max(0, now - due));
      if (this.#lagSamples.length > LAG_WINDOW) this.#lagSamples.shift();
      due = now + LAG_TICK_MS;
    }, LAG_TICK_MS);
  }

  #gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [this.#registry] });
  #counter = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers: [this.#registry] });

  #m = {
    state: this.#gauge("sup_job_state", "1 for the job's current state, 0 for the others", [
      "name",
      "state",
    ]),
    up: this.#gauge("sup_job_up", "1 while the job's process runs (state running)", ["name"]),
    ready: this.#gauge("sup_job_ready", "1 once the job's run is ready (first heartbeat)", [
      "name",
    ]),
    disabled: this.#gauge("sup_job_disabled", "1 while the job is disabled", ["name"]),
    restarts: this.#counter(
      "sup_job_restarts_total",
      "Spawns of the job after its first, by the source of the reason",
      ["name", "reason"],
    ),
    uptime: this.#gauge("sup_job_uptime_seconds", "How long the job's process has run", ["name"]),
    rss: this.#gauge(
      "sup_job_resident_memory_bytes",
      "Resident memory of the job's process group",
      ["name"],
    ),
    cpu: this.#counter(
      "sup_job_cpu_seconds_total",
      "CPU time of the job's process group in its current run",
      ["name"],
    ),
    heartbeatAge: this.#gauge(
      "sup_job_last_heartbeat_age_seconds",
      "Time since the last heartbeat of the job's current run",
      ["name"],
    ),
    healthFailures: this.#counter(
      "sup_job_health_check_failures_total",
      "Failed health checks of the job",
      ["name", "check"],
    ),
    heartbeats: this.#counter(
      "sup_channel_heartbeats_total",
      "Heartbeats accepted by the channel",
      ["channel"],
    ),
    received: this.#counter(
      "sup_channel_received_total",
      "Datagrams or frames the channel received",
      ["channel"],
    ),
    rejected: this.#counter(
      "sup_channel_rejected_total",
      "Input the channel refused, by reason",
      ["channel", "reason"],
    ),
    sent: this.#counter("sup_notifications_sent_total", "Notifications delivered", ["notifier"]),
    failed: this.#counter(
      "sup_notifications_failed_total",
      "Notification attempts that failed (retried or not)",
      ["notifier"],
    ),
    dropped: this.#counter(
      "sup_notifications_dropped_total",
      "Notifications dropped from a full queue",
      ["notifier"],
    ),
    listenerFailures: this.#counter(
      "sup_listener_failures_total",
      "Listeners that threw, timed out or fell behind",
      ["listener", "problem"],
    ),
    supRss: this.#gauge("sup_resident_memory_bytes", "Resident memory of sup itself"),
    supCpu: this.#counter("sup_cpu_seconds_total", "CPU time of sup itself"),
    supUptime: this.#gauge("sup_uptime_seconds", "How long sup has run"),
    supStart: this.#gauge("sup_start_time_seconds", "When sup started, seconds since the epoch"),
    lag: this.#gauge(
      "sup_event_loop_lag_seconds",
      `Longest delay of sup's event loop over the last ${LAG_TICK_MS * LAG_WINDOW / 1000} s`,
    ),
  };

  /** The text of one scrape. */
  async render(): Promise<string> {
    this.#refresh(Date.now());
    return await this.#registry.metrics();
  }

  /** Stops the lag sampler. */
  close(): void {
    clearInterval(this.#lagTimer);
  }

  #refresh(now: number): void {
    const m = this.#m;
    for (const metric of Object.values(m)) metric.reset();
    const { api, counters } = this.#sources;
    const statuses = api.status();
    const usage = readGroupUsage(new Set(statuses.flatMap((s) => s.pid === null ? [] : [s.pid])));
    for (const s of statuses) {
      const job = { name: s.name };
      for (const state of JOB_STATES) {
        m.state.set({ name: s.name, state }, s.state === state ? 1 : 0);
      }
      m.up.set(job, s.state === "running" ? 1 : 0);
      m.ready.set(job, s.ready ? 1 : 0);
      m.disabled.set(job, s.disabled ? 1 : 0);
      const running = s.state === "running" && s.startedAt !== null;
      m.uptime.set(job, running ? Math.max(0, now - s.startedAt!) / 1000 : 0);
      const used = s.pid === null ? undefined : usage.get(s.pid);
      if (used !== undefined) {
        m.rss.set(job, used.rssBytes);
        m.cpu.inc(job, this.#runCpu(s.name, s.pid!, used.cpuSeconds));
      }
      const beat = this.#sources.lastHeartbeat(s.name);
      const run = api.runs.current(s.name);
      if (beat !== null && run !== undefined && beat >= run.startedAt) {
        m.heartbeatAge.set(job, Math.max(0, now - beat) / 1000);
      }
    }
    for (const name of this.#cpu.keys()) {
      if (!statuses.some((s) => s.name === name && s.pid !== null)) this.#cpu.delete(name);
    }
    setCounts(m.restarts, ["name", "reason"], counters.restarts);
    setCounts(m.healthFailures, ["name", "check"], counters.healthFailures);
    setCounts(m.sent, ["notifier"], counters.notificationsSent);
    setCounts(m.failed, ["notifier"], counters.notificationsFailed);
    setCounts(m.dropped, ["notifier"], counters.notificationsDropped);
    setCounts(m.listenerFailures, ["listener", "problem"], counters.listenerFailures);
    for (const [channel, c] of Object.entries(this.#sources.channels())) {
      m.received.inc({ channel }, c.received);
      if (c.heartbeats !== null) m.heartbeats.inc({ channel }, c.heartbeats);
      for (const [reason, n] of Object.entries(c.rejectedBy)) {
        m.rejected.inc({ channel, reason }, n);
      }
    }
    m.supRss.set(Deno.memoryUsage().rss);
    m.supCpu.inc(ownCpuSeconds());
    m.supUptime.set(performance.now() / 1000);
    m.supStart.set(Math.round(performance.timeOrigin) / 1000);
    m.lag.set(Math.max(0, ...this.#lagSamples) / 1000);
  }

  /** The run's CPU time, never below what it showed before (a process gone unreaped takes its time). */
  #runCpu(job: string, pid: number, seconds: number): number {
    const seen = this.#cpu.get(job);
    const shown = seen?.pid === pid ? Math.max(seen.seconds, seconds) : seconds;
    this.#cpu.set(job, { pid, seconds: shown });
    return shown;
  }
}

function setCounts(counter: Counter, names: string[], counts: LabelledCounts): void {
  for (const [key, n] of counts) {
    const values = splitKey(key);
    counter.inc(Object.fromEntries(names.map((name, i) => [name, values[i]])), n);
  }
}

/**
 * sup's own CPU time (user and system, not its reaped jobs'), from
 * `/proc/self/stat`; 0 where it cannot be read.
 */
function ownCpuSeconds(): number {
  try {
    const stat = parseStatUsage(Deno.readTextFileSync("/proc/self/stat"));
    return stat === null ? 0 : stat.ownTicks / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
