/**
 * `GET /metrics`: what sup exports, gathered at each scrape and written in
 * the Prometheus text format (`metrics_text.ts`). Imported by
 * `metrics_routes.ts` only when `/metrics` is first read, so a sup nobody
 * scrapes never loads it nor samples its event loop.
 *
 * Each scrape reads the jobs' statuses, one pass over `/proc` for their
 * process groups (`metrics_proc.ts`), the channels' counters and the event
 * counts (`metrics_counters.ts`), so a removed job's series are gone at the
 * next scrape. Jobs are labelled `name`, not `job`: Prometheus gives every
 * series it scrapes its own `job` label (the scrape job's) and would rename
 * ours `exported_job`. sup's own RSS, CPU time, uptime and event loop lag
 * are measured here (prom-client's Node.js defaults would misname them under
 * Deno, and its `monitorEventLoopDelay` saw 27 ms of a 100 ms block).
 *
 * @module
 */

import type { JobStatus, SupervisorApi } from "../core/api.ts";
import type { JobState } from "../core/events.ts";
import {
  type ChannelCounts,
  type LabelledCounts,
  type MetricsCounters,
  splitKey,
} from "./metrics_counters.ts";
import { CLOCK_TICKS, type GroupUsage, parseStatUsage, readGroupUsage } from "./metrics_proc.ts";
import {
  CONTENT_TYPE,
  type MetricFamily,
  type MetricType,
  renderMetrics,
  type Sample,
} from "./metrics_text.ts";

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

/** How often the event loop lag is sampled, and over how many samples its maximum is kept. */
const LAG_TICK_MS = 500;
const LAG_WINDOW = 20;

/** The exporter behind `/metrics`; `close()` stops its lag sampler. */
export class MetricsExporter {
  /** Content type of `render()`'s text. */
  readonly contentType = CONTENT_TYPE;
  #sources: MetricsSources;
  /** The job's run (its pid) and the most CPU time it showed, so a run's figure never goes down. */
  #cpu = new Map<string, { pid: number; seconds: number }>();
  #lagSamples: number[] = [];
  #lagTimer: ReturnType<typeof setInterval>;

  /** Starts sampling the event loop. */
  constructor(sources: MetricsSources) {
    this.#sources = sources;
    let due = performance.now() + LAG_TICK_MS;
    this.#lagTimer = setInterval(() => {
      const now = performance.now();
      this.#lagSamples.push(Math.max(0, now - due));
      if (this.#lagSamples.length > LAG_WINDOW) this.#lagSamples.shift();
      due = now + LAG_TICK_MS;
    }, LAG_TICK_MS);
  }

  /** The text of one scrape. */
  async render(): Promise<string> {
    const statuses = this.#sources.api.status();
    const pgids = new Set(statuses.flatMap((s) => s.pid === null ? [] : [s.pid]));
    const usage = await readGroupUsage(pgids);
    const jobs = this.#jobFamilies(statuses, usage, Date.now());
    return renderMetrics([...jobs, ...this.#otherFamilies()]);
  }

  /** Stops the lag sampler. */
  close(): void {
    clearInterval(this.#lagTimer);
  }

  #jobFamilies(
    statuses: JobStatus[],
    usage: Map<number, GroupUsage>,
    now: number,
  ): MetricFamily[] {
    const { api, counters } = this.#sources;
    const f = {
      state: family("sup_job_state", "gauge", "1 for the job's current state, 0 for the others"),
      up: family("sup_job_up", "gauge", "1 while the job's process runs (state running)"),
      ready: family("sup_job_ready", "gauge", "1 once the job's run is ready (first heartbeat)"),
      disabled: family("sup_job_disabled", "gauge", "1 while the job is disabled"),
      restarts: counted(
        "sup_job_restarts_total",
        "Spawns of the job after its first, by the source of the reason",
        ["name", "reason"],
        counters.restarts,
      ),
      uptime: family("sup_job_uptime_seconds", "gauge", "How long the job's process has run"),
      rss: family(
        "sup_job_resident_memory_bytes",
        "gauge",
        "Resident memory of the job's process group",
      ),
      cpu: family(
        "sup_job_cpu_seconds_total",
        "counter",
        "CPU time of the job's process group in its current run",
      ),
      heartbeatAge: family(
        "sup_job_last_heartbeat_age_seconds",
        "gauge",
        "Time since the last heartbeat of the job's current run",
      ),
      healthFailures: counted(
        "sup_job_health_check_failures_total",
        "Failed health checks of the job",
        ["name", "check"],
        counters.healthFailures,
      ),
    };
    for (const s of statuses) {
      const job = { name: s.name };
      for (const state of JOB_STATES) {
        f.state.samples.push({ labels: { name: s.name, state }, value: s.state === state ? 1 : 0 });
      }
      f.up.samples.push({ labels: job, value: s.state === "running" ? 1 : 0 });
      f.ready.samples.push({ labels: job, value: s.ready ? 1 : 0 });
      f.disabled.samples.push({ labels: job, value: s.disabled ? 1 : 0 });
      const running = s.state === "running" && s.startedAt !== null;
      const uptime = running ? Math.max(0, now - s.startedAt!) / 1000 : 0;
      f.uptime.samples.push({ labels: job, value: uptime });
      const used = s.pid === null ? undefined : usage.get(s.pid);
      if (used !== undefined) {
        f.rss.samples.push({ labels: job, value: used.rssBytes });
        f.cpu.samples.push({ labels: job, value: this.#runCpu(s.name, s.pid!, used.cpuSeconds) });
      }
      const beat = this.#sources.lastHeartbeat(s.name);
      const run = api.runs.current(s.name);
      if (beat !== null && run !== undefined && beat >= run.startedAt) {
        f.heartbeatAge.samples.push({ labels: job, value: Math.max(0, now - beat) / 1000 });
      }
    }
    for (const name of this.#cpu.keys()) {
      if (!statuses.some((s) => s.name === name && s.pid !== null)) this.#cpu.delete(name);
    }
    return Object.values(f);
  }

  #otherFamilies(): MetricFamily[] {
    const { counters } = this.#sources;
    const heartbeats = family(
      "sup_channel_heartbeats_total",
      "counter",
      "Heartbeats accepted by the channel",
    );
    const received = family(
      "sup_channel_received_total",
      "counter",
      "Datagrams or frames the channel received",
    );
    const rejected = family(
      "sup_channel_rejected_total",
      "counter",
      "Input the channel refused, by reason",
    );
    for (const [channel, c] of Object.entries(this.#sources.channels())) {
      received.samples.push({ labels: { channel }, value: c.received });
      if (c.heartbeats !== null) {
        heartbeats.samples.push({ labels: { channel }, value: c.heartbeats });
      }
      for (const [reason, n] of Object.entries(c.rejectedBy)) {
        rejected.samples.push({ labels: { channel, reason }, value: n });
      }
    }
    const lag = Math.max(0, ...this.#lagSamples) / 1000;
    return [
      heartbeats,
      received,
      rejected,
      counted(
        "sup_notifications_sent_total",
        "Notifications delivered",
        ["notifier"],
        counters.notificationsSent,
      ),
      counted(
        "sup_notifications_failed_total",
        "Notification attempts that failed (retried or not)",
        ["notifier"],
        counters.notificationsFailed,
      ),
      counted(
        "sup_notifications_dropped_total",
        "Notifications dropped from a full queue",
        ["notifier"],
        counters.notificationsDropped,
      ),
      counted(
        "sup_listener_failures_total",
        "Listeners that threw, timed out or fell behind",
        ["listener", "problem"],
        counters.listenerFailures,
      ),
      single("sup_resident_memory_bytes", "gauge", "Resident memory of sup itself", memory()),
      single("sup_cpu_seconds_total", "counter", "CPU time of sup itself", ownCpuSeconds()),
      single("sup_uptime_seconds", "gauge", "How long sup has run", performance.now() / 1000),
      single(
        "sup_start_time_seconds",
        "gauge",
        "When sup started, seconds since the epoch",
        Math.round(performance.timeOrigin) / 1000,
      ),
      single(
        "sup_event_loop_lag_seconds",
        "gauge",
        `Longest delay of sup's event loop over the last ${LAG_TICK_MS * LAG_WINDOW / 1000} s`,
        lag,
      ),
    ];
  }

  /** The run's CPU time, never below what it showed before (a process gone unreaped takes its time). */
  #runCpu(job: string, pid: number, seconds: number): number {
    const seen = this.#cpu.get(job);
    const shown = seen?.pid === pid ? Math.max(seen.seconds, seconds) : seconds;
    this.#cpu.set(job, { pid, seconds: shown });
    return shown;
  }
}

function family(name: string, type: MetricType, help: string): MetricFamily {
  return { name, type, help, samples: [] };
}

function single(name: string, type: MetricType, help: string, value: number): MetricFamily {
  return { name, type, help, samples: [{ value }] };
}

/** A counter family from event counts keyed by label values. */
function counted(
  name: string,
  help: string,
  labelNames: readonly string[],
  counts: LabelledCounts,
): MetricFamily {
  const samples: Sample[] = [];
  for (const [key, value] of counts) {
    const values = splitKey(key);
    samples.push({ labels: Object.fromEntries(labelNames.map((l, i) => [l, values[i]])), value });
  }
  return { name, type: "counter", help, samples };
}

function memory(): number {
  try {
    return Deno.memoryUsage().rss;
  } catch {
    return 0;
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
