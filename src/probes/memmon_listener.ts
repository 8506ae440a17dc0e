/**
 * The `memmon` built-in listener (superlance's memmon): every `interval` it
 * reads the resident memory of each running job that one of its `limits`
 * names (the job's own process, or with `cumulative` its whole process
 * tree, in one pass over `/proc`: `memmon_sample.ts`, shared with
 * `maxMemory`) and restarts those over their limit, once per process. It
 * notifies each restart, or only those of runs up at most `uptimeLimit`.
 * Its actions carry the listener's name as their reason.
 *
 * Which limit applies to a job: its own name's, else the smallest of its
 * groups', else `"*"`'s (superlance checks `-p`, then `-g`, then `-a`).
 *
 * It wants no events: it runs on its own timer, armed from `create` until
 * `close`.
 *
 * @module
 */

import type { ResolvedMemmon } from "../config/listener_memmon.ts";
import { parseSelector } from "../config/selector.ts";
import type { JobStatus } from "../core/api.ts";
import { type Clock, realClock, type TimerHandle } from "../core/clock.ts";
import type { SupEventType } from "../core/events.ts";
import { type MemoryTarget, overLimit, readableSize, type RssReader } from "./memmon_sample.ts";

/** What memmon needs of its listener context (a `ListenerContext` has all of it). */
export interface MemmonContext {
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
  readonly log: { info(message: string): void; warn(message: string): void };
}

/** Replaceable parts (tests). */
export interface MemmonDeps {
  clock?: Clock;
  /** @default `/proc` */
  readRss?: RssReader;
}

/** A restart memmon asked for (tests, logs). */
export interface MemmonRestart {
  job: string;
  pid: number;
  rss: number;
  limit: number;
  selector: string;
  notified: boolean;
}

const RANK = { job: 0, group: 1, all: 2 } as const;

/** A memmon listener; `start()` arms its timer, `close()` ends it. */
export class Memmon {
  #options: ResolvedMemmon;
  #ctx: MemmonContext;
  #clock: Clock;
  #read: RssReader | undefined;
  #timer: TimerHandle | null = null;
  /** Processes already restarted (not checked again). */
  #tripped = new Set<number>();
  #readFailed = false;
  #closed = false;

  /** Builds it idle. */
  constructor(options: ResolvedMemmon, ctx: MemmonContext, deps: MemmonDeps = {}) {
    this.#options = options;
    this.#ctx = ctx;
    this.#clock = deps.clock ?? realClock;
    this.#read = deps.readRss;
  }

  /** Arms the timer: the first check is one `interval` from now. */
  start(): void {
    if (this.#timer !== null || this.#closed) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      try {
        this.check();
      } catch (error) {
        this.#warnReadFailure(error);
      }
      this.start();
    }, this.#options.intervalMs);
  }

  /** Stops the timer. */
  close(): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#closed = true;
  }

  /** The limit that applies to each job a limit names: job → [bytes, selector]. */
  limits(): Map<string, { bytes: number; selector: string; rank: number }> {
    const out = new Map<string, { bytes: number; selector: string; rank: number }>();
    for (const { selector, bytes } of this.#options.limits) {
      const rank = RANK[parseSelector(selector).kind];
      for (const job of this.#ctx.jobs([selector])) {
        const known = out.get(job);
        if (known && (known.rank < rank || (known.rank === rank && known.bytes <= bytes))) {
          continue;
        }
        out.set(job, { bytes, selector, rank });
      }
    }
    return out;
  }

  /** One check now (the timer's work): restarts the running jobs over their limit. */
  check(): MemmonRestart[] {
    const limits = this.limits();
    const running = this.#ctx.status().filter((s) => s.state === "running" && s.pid !== null);
    const pids = new Set(running.map((s) => s.pid!));
    for (const pid of this.#tripped) if (!pids.has(pid)) this.#tripped.delete(pid);
    const targets: MemoryTarget[] = [];
    for (const status of running) {
      const limit = limits.get(status.name);
      if (limit === undefined || this.#tripped.has(status.pid!)) continue;
      targets.push({
        job: status.name,
        pid: status.pid!,
        limit: limit.bytes,
        cumulative: this.#options.cumulative,
      });
    }
    const restarts: MemmonRestart[] = [];
    for (const { target, rss } of overLimit(targets, this.#read)) {
      const status = running.find((s) => s.pid === target.pid)!;
      const selector = limits.get(target.job)!.selector;
      this.#tripped.add(target.pid);
      restarts.push(this.#restart(status, rss, target.limit, selector));
    }
    return restarts;
  }

  #restart(status: JobStatus, rss: number, limit: number, selector: string): MemmonRestart {
    const job = status.name;
    const pid = status.pid!;
    const what = this.#options.cumulative ? "memory of its process tree" : "memory";
    const detail = `${what} ${readableSize(rss)} passed ${readableSize(limit)} (limit of ` +
      `${JSON.stringify(selector)})`;
    this.#ctx.log.warn(`Restarting job "${job}" (pid ${pid}): ${detail}`);
    try {
      this.#ctx.restart(job, detail);
    } catch (error) {
      this.#ctx.log.warn(`Cannot restart job "${job}": ${error}`);
    }
    const uptimeMs = status.startedAt === null ? 0 : this.#clock.now() - status.startedAt;
    const cap = this.#options.uptimeLimitMs;
    const notified = this.#options.notify && (cap === null || uptimeMs <= cap);
    if (notified) {
      const label = this.#ctx.name === "memmon" ? "memmon" : `memmon [${this.#ctx.name}]`;
      const body = `${label} restarted job "${job}" (pid ${pid}) at ` +
        `${new Date(this.#clock.now()).toISOString()} because it used too much memory: ` +
        `${detail}, ${rss} bytes RSS. It had been up ${Math.round(uptimeMs / 1000)}s.`;
      // Not awaited: a slow mail server must not hold up the checks.
      void this.#ctx.notify(`${label}: job "${job}" restarted`, body, { job }).catch(() => {});
    }
    return { job, pid, rss, limit, selector, notified };
  }

  #warnReadFailure(error: unknown): void {
    if (this.#readFailed) return;
    this.#readFailed = true;
    this.#ctx.log.warn(`Cannot read process memory, memmon checks nothing: ${error}`);
  }
}

/** The running listener `create` returns (a `RunningListener`). */
export interface RunningMemmon {
  readonly name: string;
  readonly on: readonly SupEventType[];
  handle(): void;
  close(): void;
  /** The memmon itself (tests). */
  readonly memmon: Memmon;
}

/** The built-in's factory (`BuiltinFactory<ResolvedMemmon>`): starts its timer at once. */
export function create(options: ResolvedMemmon, ctx: MemmonContext): RunningMemmon {
  const memmon = new Memmon(options, ctx);
  memmon.start();
  return { name: ctx.name, on: [], handle() {}, close: () => memmon.close(), memmon };
}
