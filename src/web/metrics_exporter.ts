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
 * A job's state is one series per state, 1 for the current one and 0 for
 * the others (as prometheus_client's `Enum`, OpenMetrics' StateSet and
 * kube-state-metrics' `kube_pod_status_phase` do): a state's series exists
 * before the job first enters it, so `sup_job_state{state="fatal"} == 1`
 * and `changes()` need no care for missing series. It is more than half the
 * samples at 500 jobs (3,500 of 6,500, ~150 KB of the ~280 KB text), which
 * costs under a millisecond to write and compresses to almost nothing in
 * Prometheus' storage.
 *
 * Everything is written family by family, job by job, straight into the
 * body's bytes: no sample objects (see `metrics_text.ts` for why). The
 * loops are indexed, not `for...of`: until V8 optimizes them (after ~80
 * scrapes at 1/s) each `for...of` step allocates an iterator result, which
 * was ~0.35 MiB per scrape at 500 jobs. A scrape now allocates ~0.1 MiB,
 * little enough that V8 still sees sup as idle and shrinks its heap (its
 * memory reducer waits for a low allocation rate; at ~1.7 MiB a second it
 * never ran, and a scraped sup kept ~10 MiB more than an unscraped one).
 *
 * @module
 */

import type { JobStatus, SupervisorApi } from "../core/api.ts";
import type { JobState } from "../core/events.ts";
import type { ChannelCounts, LabelledCounts, MetricsCounters } from "./metrics_counters.ts";
import { CLOCK_TICKS, type GroupUsage, parseOwnTicks, ProcSampler } from "../core/proc_sampler.ts";
import { CONTENT_TYPE, type Family, MetricsWriter } from "./metrics_text.ts";

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

/** The families, in the order they are written. */
const F = {
  state: gauge("sup_job_state", "1 for the job's current state, 0 for the others"),
  up: gauge("sup_job_up", "1 while the job's process runs (state running)"),
  ready: gauge("sup_job_ready", "1 once the job's run is ready (first heartbeat)"),
  disabled: gauge("sup_job_disabled", "1 while the job is disabled"),
  restarts: counter(
    "sup_job_restarts_total",
    "Spawns of the job after its first, by the source of the reason",
  ),
  uptime: gauge("sup_job_uptime_seconds", "How long the job's process has run"),
  rss: gauge("sup_job_resident_memory_bytes", "Resident memory of the job's process group"),
  cpu: counter(
    "sup_job_cpu_seconds_total",
    "CPU time of the job's process group in its current run",
  ),
  heartbeatAge: gauge(
    "sup_job_last_heartbeat_age_seconds",
    "Time since the last heartbeat of the job's current run",
  ),
  healthFailures: counter("sup_job_health_check_failures_total", "Failed health checks of the job"),
  heartbeats: counter("sup_channel_heartbeats_total", "Heartbeats accepted by the channel"),
  received: counter("sup_channel_received_total", "Datagrams or frames the channel received"),
  rejected: counter("sup_channel_rejected_total", "Input the channel refused, by reason"),
  sent: counter("sup_notifications_sent_total", "Notifications delivered"),
  failed: counter(
    "sup_notifications_failed_total",
    "Notification attempts that failed (retried or not)",
  ),
  dropped: counter("sup_notifications_dropped_total", "Notifications dropped from a full queue"),
  listenerFailures: counter(
    "sup_listener_failures_total",
    "Listeners that threw, timed out or fell behind",
  ),
  ownRss: gauge("sup_resident_memory_bytes", "Resident memory of sup itself"),
  ownCpu: counter("sup_cpu_seconds_total", "CPU time of sup itself"),
  ownUptime: gauge("sup_uptime_seconds", "How long sup has run"),
  startTime: gauge("sup_start_time_seconds", "When sup started, seconds since the epoch"),
  lag: gauge(
    "sup_event_loop_lag_seconds",
    `Longest delay of sup's event loop over the last ${LAG_TICK_MS * LAG_WINDOW / 1000} s`,
  ),
};

/** The CPU time shown for a job's run, so it never goes down within the run. */
interface RunCpu {
  pid: number;
  seconds: number;
  /** The scrape that last saw the run. */
  scrape: number;
}

/** The exporter behind `/metrics`; `close()` stops its lag sampler. */
export class MetricsExporter {
  /** Content type of `render()`'s bytes. */
  readonly contentType = CONTENT_TYPE;
  #sources: MetricsSources;
  #proc: ProcSampler;
  #cpu = new Map<string, RunCpu>();
  #scrape = 0;
  /** Size of the last body: the next one's buffer starts at about that. */
  #lastSize = 4096;
  #lagSamples: number[] = [];
  #lagTimer: ReturnType<typeof setInterval>;

  /** Starts sampling the event loop; `proc` reads the jobs' groups (default: `/proc`). */
  constructor(sources: MetricsSources, proc = new ProcSampler()) {
    this.#sources = sources;
    this.#proc = proc;
    let due = performance.now() + LAG_TICK_MS;
    this.#lagTimer = setInterval(() => {
      const now = performance.now();
      this.#lagSamples.push(Math.max(0, now - due));
      if (this.#lagSamples.length > LAG_WINDOW) this.#lagSamples.shift();
      due = now + LAG_TICK_MS;
    }, LAG_TICK_MS);
  }

  /** The body of one scrape (UTF-8 text). */
  async render(): Promise<Uint8Array<ArrayBuffer>> {
    const statuses = this.#sources.api.status();
    const pgids = new Set<number>();
    for (let i = 0; i < statuses.length; i++) {
      const pid = statuses[i].pid;
      if (pid !== null) pgids.add(pid);
    }
    const usage = await this.#proc.usage(pgids);
    const w = new MetricsWriter(this.#lastSize + 1024);
    this.#writeJobs(w, statuses, usage, Date.now());
    this.#writeOthers(w);
    const body = w.bytes();
    this.#lastSize = body.length;
    return body;
  }

  /** Stops the lag sampler and releases the `/proc` reader. */
  close(): void {
    clearInterval(this.#lagTimer);
    this.#proc.close();
  }

  #writeJobs(
    w: MetricsWriter,
    statuses: JobStatus[],
    usage: ReadonlyMap<number, GroupUsage>,
    now: number,
  ): void {
    const { api, counters } = this.#sources;
    w.family(F.state);
    for (let i = 0; i < statuses.length; i++) {
      const { name, state } = statuses[i];
      for (let k = 0; k < JOB_STATES.length; k++) {
        w.sample(F.state.name).label("name", name).label("state", JOB_STATES[k]);
        w.value(state === JOB_STATES[k] ? 1 : 0);
      }
    }
    perJob(w, F.up, statuses, (s) => s.state === "running" ? 1 : 0);
    perJob(w, F.ready, statuses, (s) => s.ready ? 1 : 0);
    perJob(w, F.disabled, statuses, (s) => s.disabled ? 1 : 0);
    counted(w, F.restarts, ["name", "reason"], counters.restarts);
    perJob(w, F.uptime, statuses, (s) => {
      const running = s.state === "running" && s.startedAt !== null;
      return running ? Math.max(0, now - s.startedAt!) / 1000 : 0;
    });
    const used = (s: JobStatus) => s.pid === null ? undefined : usage.get(s.pid);
    perJob(w, F.rss, statuses, (s) => used(s)?.rssBytes ?? null);
    const scrape = ++this.#scrape;
    perJob(w, F.cpu, statuses, (s) => {
      const group = used(s);
      return group === undefined ? null : this.#runCpu(s.name, s.pid!, group.cpuSeconds, scrape);
    });
    this.#cpu.forEach((run, name) => {
      if (run.scrape !== scrape) this.#cpu.delete(name);
    });
    perJob(w, F.heartbeatAge, statuses, (s) => {
      const beat = this.#sources.lastHeartbeat(s.name);
      const run = beat === null ? undefined : api.runs.current(s.name);
      return run === undefined || beat! < run.startedAt ? null : Math.max(0, now - beat!) / 1000;
    });
    counted(w, F.healthFailures, ["name", "check"], counters.healthFailures);
  }

  #writeOthers(w: MetricsWriter): void {
    const { counters } = this.#sources;
    const channels = this.#sources.channels();
    w.family(F.heartbeats);
    for (const channel in channels) {
      const { heartbeats } = channels[channel];
      if (heartbeats !== null) {
        w.sample(F.heartbeats.name).label("channel", channel).value(heartbeats);
      }
    }
    w.family(F.received);
    for (const channel in channels) {
      w.sample(F.received.name).label("channel", channel).value(channels[channel].received);
    }
    w.family(F.rejected);
    for (const channel in channels) {
      const { rejectedBy } = channels[channel];
      for (const reason in rejectedBy) {
        w.sample(F.rejected.name).label("channel", channel).label("reason", reason);
        w.value(rejectedBy[reason]);
      }
    }
    counted(w, F.sent, ["notifier"], counters.notificationsSent);
    counted(w, F.failed, ["notifier"], counters.notificationsFailed);
    counted(w, F.dropped, ["notifier"], counters.notificationsDropped);
    counted(w, F.listenerFailures, ["listener", "problem"], counters.listenerFailures);
    w.family(F.ownRss).sample(F.ownRss.name).value(memory());
    w.family(F.ownCpu).sample(F.ownCpu.name).value(ownCpuSeconds());
    w.family(F.ownUptime).sample(F.ownUptime.name).value(performance.now() / 1000);
    const started = Math.round(performance.timeOrigin) / 1000;
    w.family(F.startTime).sample(F.startTime.name).value(started);
    w.family(F.lag).sample(F.lag.name).value(Math.max(0, ...this.#lagSamples) / 1000);
  }

  /** The run's CPU time, never below what it showed before (a process gone unreaped takes its time). */
  #runCpu(job: string, pid: number, seconds: number, scrape: number): number {
    const seen = this.#cpu.get(job);
    if (seen === undefined) {
      this.#cpu.set(job, { pid, seconds, scrape });
      return seconds;
    }
    seen.seconds = seen.pid === pid ? Math.max(seen.seconds, seconds) : seconds;
    seen.pid = pid;
    seen.scrape = scrape;
    return seen.seconds;
  }
}

function gauge(name: string, help: string): Family {
  return { name, type: "gauge", help };
}

function counter(name: string, help: string): Family {
  return { name, type: "counter", help };
}

/** A family with one sample per job, labelled `name`: `value` gives it, or null for none. */
function perJob(
  w: MetricsWriter,
  family: Family,
  statuses: readonly JobStatus[],
  value: (s: JobStatus) => number | null,
): void {
  w.family(family);
  for (let i = 0; i < statuses.length; i++) {
    const n = value(statuses[i]);
    if (n !== null) w.sample(family.name).label("name", statuses[i].name).value(n);
  }
}

/** A counter family from event counts keyed by label values (joined with "\u0000"). */
function counted(
  w: MetricsWriter,
  family: Family,
  labelNames: readonly string[],
  counts: LabelledCounts,
): void {
  w.family(family);
  counts.forEach((value, key) => {
    w.sample(family.name);
    let from = 0;
    for (let i = 0; i < labelNames.length; i++) {
      const end = key.indexOf("\u0000", from);
      w.label(labelNames[i], key.slice(from, end < 0 ? key.length : end));
      from = end < 0 ? key.length : end + 1;
    }
    w.value(value);
  });
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
    return (parseOwnTicks(Deno.readTextFileSync("/proc/self/stat")) ?? 0) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
