/**
 * Restart latency: SIGKILL a job that has lived past minUptime, and measure
 * until the replacement's own start stamp (CLOCK_MONOTONIC taken first thing
 * in the new process's main()). Same clock on both sides: the harness reads
 * it through FFI just before kill(2).
 *
 * Run alone: `deno run -A bench/restart_latency.ts [--quick] [--trials=N]`.
 *
 * @module
 */

import { monoMs, sleep } from "./lib/clock.ts";
import { denoRestartFloor } from "./lib/deno_floor.ts";
import type { BenchContext } from "./lib/context.ts";
import { openSession, stampJob } from "./lib/session.ts";
import { execFloorMs, waitForStamps } from "./lib/stamp.ts";
import { summarize, type Summary } from "./lib/stats.ts";

/** minUptime given to the job; each kill comes this long plus a margin after the job's start. */
const MIN_UPTIME_MS = 200;
const MARGIN_MS = 150;
/** Trials run first and not counted (JIT warm-up, first-restart paths). */
const WARMUP = 2;

/** Restart latency of one supervisor. */
export interface RestartLatency {
  /** Supervisor name. */
  target: string;
  /** Its version. */
  version: string;
  /** Latencies in ms, in trial order (warm-up excluded). */
  samplesMs: number[];
  /** Summary of `samplesMs`. */
  summary: Summary;
  /** Why the run stopped early, if it did. */
  error?: string;
}

/** All restart-latency results of a run. */
export interface RestartResults {
  /** fork+exec of the stamp child by a minimal C parent: the floor for any supervisor. */
  execFloor: Summary;
  /** The smallest Deno restart loop (await status, spawn): the floor for a Deno supervisor. */
  denoFloor: Summary;
  /** How the stamp child was built. */
  helper: string;
  /** One entry per supervisor. */
  results: RestartLatency[];
}

async function measureOne(
  ctx: BenchContext,
  target: BenchContext["targets"][number],
  trials: number,
): Promise<RestartLatency> {
  const samples: number[] = [];
  const session = await openSession(ctx, target, "restart", (_dir, stampFile) => [
    { name: "victim", cmd: stampJob(ctx, stampFile, "victim"), minUptimeMs: MIN_UPTIME_MS },
  ]);
  let error: string | undefined;
  try {
    let stamps = await waitForStamps(session.stampFile, 1, 60_000);
    for (let i = 0; i < WARMUP + trials; i++) {
      const last = stamps[stamps.length - 1];
      const due = last.ms + MIN_UPTIME_MS + MARGIN_MS;
      const wait = due - monoMs();
      if (wait > 0) await sleep(wait);
      const t0 = monoMs();
      Deno.kill(last.pid, "SIGKILL");
      stamps = await waitForStamps(session.stampFile, stamps.length + 1, 15_000);
      const next = stamps[stamps.length - 1];
      if (i >= WARMUP) samples.push(next.ms - t0);
    }
  } catch (e) {
    error = `${e instanceof Error ? e.message : String(e)}\n${session.logTail()}`;
    ctx.log(`restart/${target.name}: ${error}`);
  } finally {
    await session.stamps();
    await session.end();
  }
  return {
    target: target.name,
    version: target.version,
    samplesMs: samples,
    summary: summarize(samples),
    error,
  };
}

/** Measures restart latency of every target, one after the other. */
export async function runRestartLatency(ctx: BenchContext): Promise<RestartResults> {
  const floorFile = `${await ctx.dir("exec-floor")}/stamps`;
  const floor = summarize(await execFloorMs(ctx.stamp, floorFile, 20));
  const denoFile = `${await ctx.dir("deno-floor")}/stamps`;
  const denoFloor = summarize(await denoRestartFloor(ctx.stamp, denoFile, ctx.options.trials));
  ctx.log(
    `restart floors: exec ${floor.median.toFixed(2)} ms, Deno loop ${
      denoFloor.median.toFixed(2)
    } ms`,
  );
  const results: RestartLatency[] = [];
  for (const target of ctx.targets) {
    ctx.log(`restart latency: ${target.name} (${ctx.options.trials} trials)`);
    const r = await measureOne(ctx, target, ctx.options.trials);
    ctx.log(
      `restart latency: ${target.name} median ${r.summary.median.toFixed(2)} ms, p90 ${
        r.summary.p90.toFixed(2)
      } ms`,
    );
    results.push(r);
  }
  return { execFloor: floor, denoFloor, helper: ctx.stamp.kind, results };
}

if (import.meta.main) {
  const { standalone } = await import("./lib/standalone.ts");
  await standalone(["restart"], (ctx) => runRestartLatency(ctx));
}
