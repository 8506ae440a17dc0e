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
 * body's bytes: no sample objects (see `metrics_text.ts` for why).
 *
 * @module
 */

import type { JobStatus, SupervisorApi } from "../core/api.ts";
import type { JobState } from "../core/events.ts";
import type { ChannelCounts, LabelledCounts, MetricsCounters } from "./metrics_counters.ts";
import { CLOCK_TICKS, type GroupUsage, parseOwnTicks, ProcSampler } from "./metrics_proc.ts";
import { CONTENT_TYPE, MetricsWriter } from "./metrics_text.ts";

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
const LAG_HELP = `Longest delay of sup's event loop over the last ${
  LAG_TICK_MS * LAG_WINDOW / 1000
} s`;

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
    for (const s of statuses) if (s.pid !== null) pgids.add(s.pid);
    const usage = await this.#proc.usage(pgids);
    const w = new MetricsWriter(this.#lastSize + 1024);
    this.#writeJobs(w, statuses, usage, Date.now());
    this.#writeOthers(w);
    const body = w.bytes();
    this.#lastSize = body.length;
    return body;
  }

  /** Stops the lag sampler. */
  close(): void {
    clearInterval(this.#lagTimer);
  }

  #writeJobs(
    w: MetricsWriter,
    statuses: JobStatus[],
    usage: ReadonlyMap<number, GroupUsage>,
    now: number,
  ): void {
    const { api, counters } = this.#sources;
    w.family("sup_job_state", "gauge", "1 for the job's current state, 0 for the others");
    for (const s of statuses) {
      for (const state of JOB_STATES) {
        w.sample("sup_job_state").label("name", s.name).label("state", state);
        w.value(s.state === state ? 1 : 0);
      }
    }
    w.family("sup_job_up", "gauge", "1 while the job's process runs (state running)");
    for (const s of statuses) {
      w.sample("sup_job_up").label("name", s.name).value(s.state === "running" ? 1 : 0);
    }
    w.family("sup_job_ready", "gauge", "1 once the job's run is ready (first heartbeat)");
    for (const s of statuses) w.sample("sup_job_ready").label("name", s.name).value(+s.ready);
    w.family("sup_job_disabled", "gauge", "1 while the job is disabled");
    for (const s of statuses) {
      w.sample("sup_job_disabled").label("name", s.name).value(+s.disabled);
    }
    writeCounted(
      w,
      "sup_job_restarts_total",
      "Spawns of the job after its first, by the source of the reason",
      ["name", "reason"],
      counters.restarts,
    );
    w.family("sup_job_uptime_seconds", "gauge", "How long the job's process has run");
    for (const s of statuses) {
      const running = s.state === "running" && s.startedAt !== null;
      const uptime = running ? Math.max(0, now - s.startedAt!) / 1000 : 0;
      w.sample("sup_job_uptime_seconds").label("name", s.name).value(uptime);
    }
    w.family(
      "sup_job_resident_memory_bytes",
      "gauge",
      "Resident memory of the job's process group",
    );
    for (const s of statuses) {
      const used = s.pid === null ? undefined : usage.get(s.pid);
      if (used) {
        w.sample("sup_job_resident_memory_bytes").label("name", s.name).value(used.rssBytes);
      }
    }
    const scrape = ++this.#scrape;
    w.family(
      "sup_job_cpu_seconds_total",
      "counter",
      "CPU time of the job's process group in its current run",
    );
    for (const s of statuses) {
      const used = s.pid === null ? undefined : usage.get(s.pid);
      if (used === undefined) continue;
      const seconds = this.#runCpu(s.name, s.pid!, used.cpuSeconds, scrape);
      w.sample("sup_job_cpu_seconds_total").label("name", s.name).value(seconds);
    }
    for (const [name, run] of this.#cpu) if (run.scrape !== scrape) this.#cpu.delete(name);
    w.family(
      "sup_job_last_heartbeat_age_seconds",
      "gauge",
      "Time since the last heartbeat of the job's current run",
    );
    for (const s of statuses) {
      const beat = this.#sources.lastHeartbeat(s.name);
      if (beat === null) continue;
      const run = api.runs.current(s.name);
      if (run === undefined || beat < run.startedAt) continue;
      w.sample("sup_job_last_heartbeat_age_seconds").label("name", s.name);
      w.value(Math.max(0, now - beat) / 1000);
    }
    writeCounted(
      w,
      "sup_job_health_check_failures_total",
      "Failed health checks of the job",
      ["name", "check"],
      counters.healthFailures,
    );
  }

  #writeOthers(w: MetricsWriter): void {
    const { counters } = this.#sources;
    const channels = this.#sources.channels();
    w.family("sup_channel_heartbeats_total", "counter", "Heartbeats accepted by the channel");
    for (const channel in channels) {
      const { heartbeats } = channels[channel];
      if (heartbeats !== null) {
        w.sample("sup_channel_heartbeats_total").label("channel", channel).value(heartbeats);
      }
    }
    w.family("sup_channel_received_total", "counter", "Datagrams or frames the channel received");
    for (const channel in channels) {
      w.sample("sup_channel_received_total").label("channel", channel);
      w.value(channels[channel].received);
    }
    w.family("sup_channel_rejected_total", "counter", "Input the channel refused, by reason");
    for (const channel in channels) {
      const { rejectedBy } = channels[channel];
      for (const reason in rejectedBy) {
        w.sample("sup_channel_rejected_total").label("channel", channel).label("reason", reason);
        w.value(rejectedBy[reason]);
      }
    }
    writeCounted(
      w,
      "sup_notifications_sent_total",
      "Notifications delivered",
      ["notifier"],
      counters.notificationsSent,
    );
    writeCounted(
      w,
      "sup_notifications_failed_total",
      "Notification attempts that failed (retried or not)",
      ["notifier"],
      counters.notificationsFailed,
    );
    writeCounted(
      w,
      "sup_notifications_dropped_total",
      "Notifications dropped from a full queue",
      ["notifier"],
      counters.notificationsDropped,
    );
    writeCounted(
      w,
      "sup_listener_failures_total",
      "Listeners that threw, timed out or fell behind",
      ["listener", "problem"],
      counters.listenerFailures,
    );
    w.family("sup_resident_memory_bytes", "gauge", "Resident memory of sup itself");
    w.sample("sup_resident_memory_bytes").value(memory());
    w.family("sup_cpu_seconds_total", "counter", "CPU time of sup itself");
    w.sample("sup_cpu_seconds_total").value(ownCpuSeconds());
    w.family("sup_uptime_seconds", "gauge", "How long sup has run");
    w.sample("sup_uptime_seconds").value(performance.now() / 1000);
    w.family("sup_start_time_seconds", "gauge", "When sup started, seconds since the epoch");
    w.sample("sup_start_time_seconds").value(Math.round(performance.timeOrigin) / 1000);
    w.family("sup_event_loop_lag_seconds", "gauge", LAG_HELP);
    w.sample("sup_event_loop_lag_seconds").value(Math.max(0, ...this.#lagSamples) / 1000);
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

/** A counter family from event counts keyed by label values (joined with "\u0000"). */
function writeCounted(
  w: MetricsWriter,
  name: string,
  help: string,
  labelNames: readonly string[],
  counts: LabelledCounts,
): void {
  w.family(name, "counter", help);
  for (const [key, value] of counts) {
    w.sample(name);
    let from = 0;
    for (const label of labelNames) {
      const end = key.indexOf("\u0000", from);
      w.label(label, key.slice(from, end < 0 ? key.length : end));
      from = end < 0 ? key.length : end + 1;
    }
    w.value(value);
  }
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
