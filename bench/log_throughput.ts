/**
 * Log throughput: a job writes `--log-mb` (default 200 MiB) of 100-byte lines
 * to stdout (`yes <99 chars> | head -c N`) as fast as it can. Through each
 * supervisor into a file (sup: `stdout: { file }`, no rotation within the
 * run), against the same command writing straight to /dev/null and straight
 * to a file. The window runs from the job's first stamp to the later of its
 * last stamp and the moment the output file holds all N bytes.
 *
 * Run alone: `deno run -A bench/log_throughput.ts [--quick] [--log-runs=N] [--log-mb=N]`.
 *
 * @module
 */

import { monoMs, pollUntil } from "./lib/clock.ts";
import type { BenchContext } from "./lib/context.ts";
import { openSession } from "./lib/session.ts";
import { readStamps, type Stamp } from "./lib/stamp.ts";
import { summarize, type Summary } from "./lib/stats.ts";

/** Throughput of one writer setup, MiB/s per run. */
export interface ThroughputResult {
  /** "direct → /dev/null", "direct → file", or a supervisor name. */
  setup: string;
  /** Supervisor version (empty for direct writes). */
  version: string;
  /** MiB/s, one per run. */
  samplesMiBs: number[];
  /** Summary of `samplesMiBs`. */
  summary: Summary;
  /** Bytes found in the output file at the end of the last run (supervised setups). */
  bytesWritten?: number;
  /** Why a run failed, if one did. */
  error?: string;
}

/** Results of the log-throughput benchmark. */
export interface LogResults {
  /** Bytes each run writes. */
  bytes: number;
  /** One entry per setup, baselines first. */
  results: ThroughputResult[];
}

/** The shell script of the writer job: stamp, write `bytes`, stamp. */
export function writerScript(stampArgv: string[], stampFile: string, bytes: number): string {
  const stamp = (tag: string) => [...stampArgv, stampFile, tag, "exit"].join(" ");
  const line = "x".repeat(99);
  return `${stamp("begin")}; yes ${line} | head -c ${bytes}; ${stamp("end")}`;
}

function window(stamps: Stamp[]): { begin: number; end: number } | undefined {
  const begin = stamps.find((s) => s.tag === "begin");
  const end = stamps.find((s) => s.tag === "end");
  return begin && end ? { begin: begin.ms, end: end.ms } : undefined;
}

function fileSize(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
}

async function direct(ctx: BenchContext, sink: "/dev/null" | "file"): Promise<number> {
  const dir = await ctx.dir(`log-direct-${sink === "file" ? "file" : "null"}`);
  const stampFile = `${dir}/stamps`;
  const target = sink === "file" ? `${dir}/out.log` : "/dev/null";
  const script = `exec >${target}; ${
    writerScript(ctx.stamp.argv, stampFile, ctx.options.logBytes)
  }`;
  const out = await new Deno.Command("sh", { args: ["-c", script], stderr: "piped" }).output();
  if (!out.success) throw new Error(`writer failed: ${new TextDecoder().decode(out.stderr)}`);
  const w = window(await readStamps(stampFile));
  if (!w) throw new Error("writer left no begin/end stamps");
  const mib = ctx.options.logBytes / 2 ** 20;
  await Deno.remove(dir, { recursive: true });
  return mib / ((w.end - w.begin) / 1000);
}

async function supervised(ctx: BenchContext, target: BenchContext["targets"][number]) {
  const bytes = ctx.options.logBytes;
  const session = await openSession(ctx, target, "log", (dir, stampFile) => [{
    name: "writer",
    cmd: ["sh", "-c", writerScript(ctx.stamp.argv, stampFile, bytes)],
    stdoutFile: `${dir}/writer.out.log`,
    once: true,
  }]);
  const outFile = `${session.dir}/writer.out.log`;
  try {
    let fullAt: number | undefined;
    const w = await pollUntil(
      "the writer's end stamp",
      async () => {
        if (fullAt === undefined && fileSize(outFile) >= bytes) fullAt = monoMs();
        return window(await session.stamps());
      },
      300_000,
      2,
    );
    if (fullAt === undefined) {
      fullAt = await pollUntil(
        `${bytes} bytes in ${outFile}`,
        () => fileSize(outFile) >= bytes ? monoMs() : undefined,
        60_000,
        2,
      ).catch(() => undefined);
    }
    const size = fileSize(outFile);
    const finish = Math.max(w.end, fullAt ?? w.end);
    const rate = bytes / 2 ** 20 / ((finish - w.begin) / 1000);
    return { rate, size };
  } finally {
    await session.end();
    await Deno.remove(outFile).catch(() => {});
  }
}

async function collect(
  setup: string,
  version: string,
  runs: number,
  once: () => Promise<{ rate: number; size?: number }>,
): Promise<ThroughputResult> {
  const samples: number[] = [];
  let bytesWritten: number | undefined;
  let error: string | undefined;
  for (let i = 0; i < runs; i++) {
    try {
      const r = await once();
      samples.push(r.rate);
      bytesWritten = r.size;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
  }
  return { setup, version, samplesMiBs: samples, summary: summarize(samples), bytesWritten, error };
}

/** Measures the direct baselines and every supervisor. */
export async function runLogThroughput(ctx: BenchContext): Promise<LogResults> {
  const runs = ctx.options.logRuns;
  const results: ThroughputResult[] = [];
  ctx.log(`log throughput: direct writes (${runs} runs)`);
  results.push(
    await collect("direct → /dev/null", "", runs, async () => ({
      rate: await direct(ctx, "/dev/null"),
    })),
  );
  results.push(
    await collect("direct → file", "", runs, async () => ({
      rate: await direct(ctx, "file"),
    })),
  );
  for (const target of ctx.targets) {
    ctx.log(`log throughput: ${target.name} (${runs} runs)`);
    const r = await collect(target.name, target.version, runs, () => supervised(ctx, target));
    ctx.log(`log throughput: ${target.name} median ${r.summary.median.toFixed(0)} MiB/s`);
    results.push(r);
  }
  return { bytes: ctx.options.logBytes, results };
}

if (import.meta.main) {
  const { standalone } = await import("./lib/standalone.ts");
  await standalone(["log"], runLogThroughput);
}
