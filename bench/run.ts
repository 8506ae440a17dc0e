/**
 * `deno task bench`: measures sup against supervisord and PM2 in one run
 * (restart latency, scale, log throughput, and the heartbeat bench when
 * bench/heartbeat_bench.ts exists), prints a table and writes
 * bench/results.json. Options: see bench/README.md (`--quick` for ~2 min).
 *
 * @module
 */

import { runLogThroughput } from "./log_throughput.ts";
import type { BenchContext } from "./lib/context.ts";
import { repoRoot } from "./lib/peers.ts";
import { withContext } from "./lib/standalone.ts";
import { type RunResults, summaryMarkdown, summaryRows, summaryText } from "./lib/summary.ts";
import { runRestartLatency } from "./restart_latency.ts";
import { runScale } from "./scale.ts";
import { runFlood } from "./flood.ts";
import { runStatusRtt } from "./status_rtt.ts";

async function machine() {
  let cpu = "unknown";
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    cpu = info.match(/^model name\s*:\s*(.+)$/m)?.[1] ?? cpu;
  } catch {
    // not Linux
  }
  return {
    cpu,
    cores: navigator.hardwareConcurrency,
    memoryGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30),
    kernel: Deno.osRelease(),
    deno: Deno.version.deno,
  };
}

/** /proc/loadavg's 1-minute load, or NaN. */
function load1(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
  } catch {
    return NaN;
  }
}

/** Compiles sup's module graph once so the first measured launch does not pay for it. */
async function warmSup(ctx: BenchContext): Promise<void> {
  const root = repoRoot();
  try {
    await Deno.stat(`${root}/main.ts`);
  } catch {
    ctx.log("main.ts not found: sup cannot be measured yet");
    return;
  }
  await new Deno.Command(Deno.execPath(), {
    args: ["cache", `${root}/main.ts`],
    cwd: root,
    stdout: "null",
    stderr: "inherit",
  }).output();
}

async function heartbeat(ctx: BenchContext): Promise<unknown> {
  const file = new URL("./heartbeat_bench.ts", import.meta.url);
  try {
    await Deno.stat(file);
  } catch {
    return { skipped: "bench/heartbeat_bench.ts does not exist yet" };
  }
  try {
    const mod = await import(file.href);
    if (typeof mod.runHeartbeatBench !== "function") {
      return { skipped: "bench/heartbeat_bench.ts exports no runHeartbeatBench()" };
    }
    ctx.log("heartbeat bench (bench/heartbeat_bench.ts)");
    return await mod.runHeartbeatBench({ quick: ctx.options.quick, tmp: ctx.tmp, log: ctx.log });
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    ctx.log(`heartbeat bench failed: ${error}`);
    return { error };
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  await withContext(Deno.args, async (ctx) => {
    const { only } = ctx.options;
    const names = ctx.targets.map((t) => t.name);
    const versions = Object.fromEntries(ctx.targets.map((t) => [t.name, t.version]));
    for (const [name, why] of Object.entries(ctx.missing)) ctx.log(`${name}: ${why}; skipped`);
    ctx.log(`supervisors: ${ctx.targets.map((t) => `${t.name} ${t.version}`).join("; ")}`);
    ctx.log(`stamp child: ${ctx.stamp.kind}; temp dir ${ctx.tmp}`);
    if (names.includes("sup")) await warmSup(ctx);

    const results: RunResults & { heartbeat?: unknown } = {};
    // Other work on the machine inflates every figure: record the load around each bench.
    const load: Record<string, number> = { start: load1() };
    if (load.start > navigator.hardwareConcurrency / 2) {
      ctx.log(`load average ${load.start}: the machine is busy, figures may be inflated`);
    }
    const step = async (name: string, run: () => Promise<void>) => {
      if (!only.includes(name)) return;
      await run();
      load[name] = load1();
    };
    await step("restart", async () => void (results.restart = await runRestartLatency(ctx)));
    await step("scale", async () => void (results.scale = await runScale(ctx)));
    await step("log", async () => void (results.log = await runLogThroughput(ctx)));
    await step("heartbeat", async () => void (results.heartbeat = await heartbeat(ctx)));
    // issue 9: health checks, httpok, memmon (bench/health_bench.ts)
    await step("health", async () => {
      ctx.log("health bench (bench/health_bench.ts)");
      const { runHealthBench } = await import("./health_bench.ts");
      (results as Record<string, unknown>).health = await runHealthBench({
        quick: ctx.options.quick,
        log: ctx.log,
      });
    });
    // issue 10: /metrics memory and scrape time (bench/metrics_bench.ts)
    await step("metrics", async () => {
      ctx.log("metrics bench (bench/metrics_bench.ts)");
      const { runMetricsBench } = await import("./metrics_bench.ts");
      (results as Record<string, unknown>).metrics = await runMetricsBench(ctx);
    });
    await step("flood", async () => {
      ctx.log("flood bench (bench/flood.ts)");
      (results as Record<string, unknown>).flood = await runFlood({
        quick: ctx.options.quick,
        log: ctx.log,
      });
    });

    // The control CLI's round trip beside supervisorctl and pm2
    await step("status", async () => {
      (results as Record<string, unknown>).status = await runStatusRtt(ctx);
    });

    const rows = summaryRows(results);
    const report = {
      date: new Date().toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      machine: await machine(),
      loadAverage1m: load,
      options: ctx.options,
      versions,
      missing: ctx.missing,
      stampChild: ctx.stamp.kind,
      summary: rows,
      ...results,
    };
    await Deno.writeTextFile(ctx.options.out, JSON.stringify(report, null, 2) + "\n");
    console.log(summaryText(rows, names));
    if (results.restart) {
      console.log(
        `\nexec floor (fork+exec of the stamp child by a C parent): median ${
          results.restart.execFloor.median.toFixed(2)
        } ms; bare Deno restart loop (await status, spawn): median ${
          results.restart.denoFloor.median.toFixed(2)
        } ms, p90 ${results.restart.denoFloor.p90.toFixed(2)} ms`,
      );
    }
    if (results.heartbeat) console.log(`\nheartbeat: ${JSON.stringify(results.heartbeat)}`);
    console.log(`\nversions: ${JSON.stringify(versions)}`);
    console.log(`1-minute load average after each bench: ${JSON.stringify(load)}`);
    console.log(`\nMarkdown:\n\n${summaryMarkdown(rows, names)}\n`);
    ctx.log(`wrote ${ctx.options.out} in ${report.durationSeconds} s`);
  });
}

if (import.meta.main) await main();
