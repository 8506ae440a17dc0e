/**
 * The `httpok` built-in listener (superlance's httpok): GETs a URL every
 * `interval`; when the answer times out, has another status than expected
 * or lacks the expected body text, it restarts the selected jobs that are
 * running, after dumping a core of each with gdb's `gcore` when `coreDir`
 * is set, and sends a notification saying what it found and did (with
 * gcore's output). Its actions carry the listener's name as their reason.
 *
 * A job whose process has run less than one `interval` is left alone (and
 * said so in the notification): a process just started, by sup or by an
 * earlier restart, gets a whole interval to answer, so a slow start-up is
 * never a restart loop.
 *
 * It wants no events: it runs on its own timer, armed from `create` until
 * `close`. Rounds never overlap: the next GET is due `interval` after the
 * start of the last, and never before the last round (GET, core dumps,
 * restarts) has ended.
 *
 * @module
 */

import type { ResolvedHttpok } from "../config/listener_httpok.ts";
import type { JobStatus } from "../core/api.ts";
import { type Clock, realClock, type TimerHandle } from "../core/clock.ts";
import type { SupEventType } from "../core/events.ts";
import { type CoreDump, dumpCore } from "./gcore.ts";
import { type HttpProbe, probeHttp, type ProbeResult } from "./health_http.ts";

/** What httpok needs of its listener context (a `ListenerContext` has all of it). */
export interface HttpokContext {
  /** The listener's name. */
  readonly name: string;
  /** Restarts a job, with the listener's name as the reason. */
  restart(job: string, detail?: string): void;
  /** Every job's status. */
  status(): JobStatus[];
  /** The jobs the selectors name, in config order. */
  jobs(selectors: readonly string[]): string[];
  /** Sends a notification through every notifier; never rejects. */
  notify(subject: string, body: string, extra?: { job?: string }): Promise<unknown>;
  /** The listener's logger. */
  readonly log: {
    debug(message: string): void;
    info(message: string): void;
    warn(message: string): void;
  };
}

/** Replaceable parts (tests). */
export interface HttpokDeps {
  clock?: Clock;
  /** One GET. @default `probeHttp` */
  probe?: (probe: HttpProbe, signal: AbortSignal) => Promise<ProbeResult>;
  /** One core dump. @default `dumpCore` (gdb's gcore) */
  dumpCore?: typeof dumpCore;
}

/** What one round found and did (tests, logs). */
export interface HttpokRound {
  result: ProbeResult | null;
  restarted: string[];
  dumps: CoreDump[];
}

/** An httpok listener; `start()` arms its timer, `close()` ends it. */
export class Httpok {
  #options: ResolvedHttpok;
  #ctx: HttpokContext;
  #clock: Clock;
  #probe: NonNullable<HttpokDeps["probe"]>;
  #dumpCore: typeof dumpCore;
  #timer: TimerHandle | null = null;
  #round: Promise<HttpokRound> | null = null;
  #abort: AbortController | null = null;
  #closed = false;
  #failing = false;

  /** Builds it idle. */
  constructor(options: ResolvedHttpok, ctx: HttpokContext, deps: HttpokDeps = {}) {
    this.#options = options;
    this.#ctx = ctx;
    this.#clock = deps.clock ?? realClock;
    this.#probe = deps.probe ?? probeHttp;
    this.#dumpCore = deps.dumpCore ?? dumpCore;
  }

  /** Arms the timer: the first GET is one `interval` from now. */
  start(): void {
    this.#schedule(this.#options.intervalMs);
  }

  /** Stops the timer and aborts a GET in progress; resolves when the round in progress ended. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#abort?.abort(new Error("httpok closed"));
    await this.#round?.catch(() => {});
  }

  /** Runs one round now (the timer's work): GET, then act on a failure. */
  round(): Promise<HttpokRound> {
    this.#round ??= this.#check().finally(() => this.#round = null);
    return this.#round;
  }

  #schedule(delay: number): void {
    if (this.#closed) return;
    this.#timer = this.#clock.setTimeout(async () => {
      this.#timer = null;
      const started = this.#clock.now();
      await this.round().catch((error) => this.#ctx.log.warn(`Round failed: ${error}`));
      const next = started + this.#options.intervalMs - this.#clock.now();
      this.#schedule(Math.max(0, next));
    }, delay);
  }

  async #check(): Promise<HttpokRound> {
    const o = this.#options;
    const selected = new Set(this.#ctx.jobs(o.jobs));
    const jobs = this.#ctx.status().filter((s) => selected.has(s.name));
    const running = jobs.filter((s) => s.state === "running" && s.pid !== null);
    const round: HttpokRound = { result: null, restarted: [], dumps: [] };
    if (!o.eager && running.length === 0) return round;
    const abort = new AbortController();
    this.#abort = abort;
    const timer = this.#clock.setTimeout(
      () => abort.abort(new Error(`timeout after ${o.timeoutMs}ms`)),
      o.timeoutMs,
    );
    try {
      round.result = await this.#probe(o, abort.signal);
    } finally {
      this.#clock.clearTimeout(timer);
      this.#abort = null;
    }
    if (this.#closed) return round;
    if (round.result.ok) {
      if (this.#failing) this.#ctx.log.info(`GET ${o.url} answers as expected again`);
      this.#failing = false;
      return round;
    }
    this.#failing = true;
    const reason = round.result.reason;
    const lines = [`GET ${o.url} failed: ${reason}`];
    this.#ctx.log.warn(lines[0]);
    // The states may have moved during the GET: act on what runs now.
    const now = new Map(this.#ctx.status().map((s) => [s.name, s]));
    for (const job of jobs) {
      const status = now.get(job.name);
      if (status?.state !== "running" || status.pid === null) {
        lines.push(`Job "${job.name}" is ${status?.state ?? "gone"}: not restarted`);
        continue;
      }
      const upMs = status.startedAt === null ? Infinity : this.#clock.now() - status.startedAt;
      if (upMs < o.intervalMs) {
        lines.push(
          `Job "${job.name}" (pid ${status.pid}) started ${upMs}ms ago: not restarted ` +
            "(a new process gets one interval to answer)",
        );
        continue;
      }
      if (o.coreDir !== null) {
        const dump = await this.#dumpCore(o.gcore, o.coreDir, job.name, status.pid);
        round.dumps.push(dump);
        const how = dump.ok ? `core written to ${dump.file}` : "gcore failed";
        lines.push(
          `gcore output for job "${job.name}" (pid ${status.pid}, ${how}):\n${dump.output}`,
        );
      }
      try {
        this.#ctx.restart(job.name, `GET ${o.url}: ${reason}`);
        round.restarted.push(job.name);
        lines.push(`Job "${job.name}" (pid ${status.pid}) was running: restarted`);
      } catch (error) {
        lines.push(`Job "${job.name}" could not be restarted: ${error}`);
      }
    }
    if (selected.size === 0) lines.push("No job is selected (jobs names none now).");
    if (o.notify) {
      const subject = `${this.#label()}: ${o.url}: ${reason}`;
      // Not awaited: a slow mail server must not hold up the next GET.
      void this.#ctx.notify(subject, lines.join("\n\n"), {
        job: round.restarted.length === 1 ? round.restarted[0] : undefined,
      }).catch(() => {});
    }
    return round;
  }

  /** "httpok", or "httpok [name]" for a listener named otherwise (superlance's `-n`). */
  #label(): string {
    return this.#ctx.name === "httpok" ? "httpok" : `httpok [${this.#ctx.name}]`;
  }
}

/** The running listener `create` returns (a `RunningListener`). */
export interface RunningHttpok {
  readonly name: string;
  readonly on: readonly SupEventType[];
  handle(): void;
  close(): Promise<void>;
  /** The httpok itself (tests). */
  readonly httpok: Httpok;
}

/** The built-in's factory (`BuiltinFactory<ResolvedHttpok>`): starts its timer at once. */
export function create(options: ResolvedHttpok, ctx: HttpokContext): RunningHttpok {
  const httpok = new Httpok(options, ctx);
  httpok.start();
  return { name: ctx.name, on: [], handle() {}, close: () => httpok.close(), httpok };
}
