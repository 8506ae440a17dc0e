/**
 * Scale: the supervisor's own RSS with 1, 100 and 500 sleeping jobs; CPU it
 * uses while idle with 100 jobs; time from launch to 100 jobs running (the
 * last job's start stamp); time from SIGTERM (PM2: `pm2 kill`, as its systemd
 * unit stops it) to the supervisor and all 100 jobs gone (polled every 2 ms).
 *
 * Run alone: `deno run -A bench/scale.ts [--quick] [--idle-seconds=N] [--scale-runs=N]`.
 *
 * @module
 */

import { monoMs, pollUntil, sleep } from "./lib/clock.ts";
import type { BenchContext } from "./lib/context.ts";
import { cpuTicksSeconds, isAlive, rssBytes, threadCpuNanos } from "./lib/proc.ts";
import { openSession, type Session, stampJob } from "./lib/session.ts";
import { waitForStamps } from "./lib/stamp.ts";
import { summarize, type Summary } from "./lib/stats.ts";
import type { Target } from "./lib/target.ts";

/** Wait after the last job started before reading RSS. */
const SETTLE_MS = 2000;
/**
 * Wait after the last job started before the idle CPU window: past sup's
 * default minUptime (10 s, whose 100 timers fire once) and V8's post-start
 * memory-reducer GCs, so the window sees the steady state. --quick: 2 s.
 */
const IDLE_SETTLE_MS = 12_000;

/** Scale figures of one supervisor. */
export interface ScaleResult {
  /** Supervisor name. */
  target: string;
  /** Its version. */
  version: string;
  /** RSS in bytes by job count (100: median over the start/stop runs). */
  rssBytes: Record<string, number>;
  /** Launch → 100th job's start stamp, ms, per run. */
  start100Ms: Summary;
  /** SIGTERM → supervisor and 100 jobs gone, ms, per run. */
  stop100Ms: Summary;
  /** Launch → last job's start and SIGTERM → all gone, ms, with 1 and 500 jobs. */
  startMsByCount: Record<string, number>;
  /** See `startMsByCount`. */
  stopMsByCount: Record<string, number>;
  /**
   * CPU seconds (user + system, all threads, including threads that ended)
   * used while idle with 100 jobs over `idleSeconds`, from /proc/<pid>/stat
   * (10 ms resolution).
   */
  idleCpuSeconds?: number;
  /**
   * Same window from the nanosecond schedstat counters of the threads alive
   * at its end (a thread that ended inside the window is missed).
   */
  idleCpuThreadsSeconds?: number;
  /** Length of the idle window, seconds. */
  idleSeconds: number;
  /** Errors met (the figure they concern is missing). */
  errors: string[];
}

function jobs(ctx: BenchContext, stampFile: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    name: `sleep-${i}`,
    cmd: stampJob(ctx, stampFile, `sleep-${i}`),
  }));
}

/** Launches with `count` jobs and waits for all of them; returns the session and start time. */
async function launch(ctx: BenchContext, target: Target, count: number) {
  const session = await openSession(
    ctx,
    target,
    `scale${count}`,
    (_d, f) => jobs(ctx, f, count),
  );
  try {
    const stamps = await waitForStamps(session.stampFile, count, 120_000, 5);
    const last = Math.max(...stamps.slice(0, count).map((s) => s.ms));
    return { session, startMs: last - session.running.launchedAt };
  } catch (e) {
    const tail = session.logTail();
    await session.end();
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${tail}`);
  }
}

/** Stops the supervisor (SIGTERM; PM2: `pm2 kill`) and waits until the supervisor and every job pid are gone; returns ms. */
async function stopTimed(session: Session): Promise<number> {
  const pending = new Set((await session.stamps()).map((s) => s.pid));
  pending.add(session.running.pid);
  const t0 = monoMs();
  session.running.stop();
  await pollUntil(
    "the supervisor and its jobs to exit",
    () => {
      for (const pid of pending) if (!isAlive(pid)) pending.delete(pid);
      return pending.size === 0 ? true : undefined;
    },
    60_000,
    2,
  );
  return monoMs() - t0;
}

async function measureTarget(ctx: BenchContext, target: Target): Promise<ScaleResult> {
  const { idleSeconds, scaleRuns } = ctx.options;
  const result: ScaleResult = {
    target: target.name,
    version: target.version,
    rssBytes: {},
    start100Ms: summarize([]),
    stop100Ms: summarize([]),
    startMsByCount: {},
    stopMsByCount: {},
    idleSeconds,
    errors: [],
  };
  const starts: number[] = [];
  const stops: number[] = [];
  const rss100: number[] = [];
  // --quick measures 500 jobs for sup only (PM2 takes ~40 s to stop 500).
  const with500 = !ctx.options.quick || target.name === "sup";
  const plan = [1, ...Array.from({ length: scaleRuns }, () => 100), ...(with500 ? [500] : [])];
  for (const [i, count] of plan.entries()) {
    let session: Session | undefined;
    try {
      const launched = await launch(ctx, target, count);
      session = launched.session;
      await sleep(SETTLE_MS);
      const rss = rssBytes(session.running.pid);
      if (count === 100 && i === 1) {
        ctx.log(`scale: ${target.name} idle CPU over ${idleSeconds} s with 100 jobs`);
        await sleep(ctx.options.quick ? 0 : IDLE_SETTLE_MS - SETTLE_MS);
        const threads0 = threadCpuNanos(session.running.pid);
        const tick0 = cpuTicksSeconds(session.running.pid);
        await sleep(idleSeconds * 1000);
        const threads1 = threadCpuNanos(session.running.pid);
        const tick1 = cpuTicksSeconds(session.running.pid);
        // Whole ticks (10 ms): the subtraction of two tick counts, without float noise.
        if (tick0 !== undefined && tick1 !== undefined) {
          result.idleCpuSeconds = Math.round((tick1 - tick0) * 100) / 100;
        }
        let ns = 0;
        for (const [tid, t1] of threads1) ns += t1 - (threads0.get(tid) ?? 0);
        result.idleCpuThreadsSeconds = ns / 1e9;
      }
      const stopMs = await stopTimed(session);
      if (count === 100) {
        starts.push(launched.startMs);
        stops.push(stopMs);
        if (rss !== undefined) rss100.push(rss);
      } else {
        result.startMsByCount[count] = launched.startMs;
        result.stopMsByCount[count] = stopMs;
        if (rss !== undefined) result.rssBytes[count] = rss;
      }
      ctx.log(
        `scale: ${target.name} ${count} jobs: start ${launched.startMs.toFixed(0)} ms, stop ${
          stopMs.toFixed(0)
        } ms, RSS ${((rss ?? NaN) / 2 ** 20).toFixed(1)} MiB`,
      );
    } catch (e) {
      const msg = `${count} jobs: ${e instanceof Error ? e.message : String(e)}`;
      result.errors.push(msg);
      ctx.log(`scale: ${target.name} ${msg}`);
    } finally {
      await session?.end();
    }
  }
  result.start100Ms = summarize(starts);
  result.stop100Ms = summarize(stops);
  if (rss100.length) result.rssBytes[100] = summarize(rss100).median;
  return result;
}

/** Measures every target, one after the other. */
export async function runScale(ctx: BenchContext): Promise<ScaleResult[]> {
  const results: ScaleResult[] = [];
  for (const target of ctx.targets) results.push(await measureTarget(ctx, target));
  return results;
}

if (import.meta.main) {
  const { standalone } = await import("./lib/standalone.ts");
  await standalone(["scale"], runScale);
}
