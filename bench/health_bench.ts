/**
 * Health checks, httpok and memmon: how soon sup acts on a job that goes
 * bad, against the bounds issue 9 sets (a failing health check or httpok
 * acted on within `interval × failures + timeout` + 50 ms, memmon within
 * `interval` + 50 ms) and superlance's figures (supervisord 4.2.5 at TICK_5,
 * medians of 5: httpok hung app → restarted 3.5 s, max 5.4; memmon over the
 * limit → restarted 3.1 s).
 *
 * Real jobs under the real supervisor, in this process: an HTTP server that
 * starts hanging (the moment the harness switches it is the start), and a
 * job whose child allocates past the limit (the moment before it writes its
 * memory is the start). The end is the restart the probe asks for (its
 * `job.action` event).
 *
 * Run alone: `deno run -A bench/health_bench.ts [--quick] [--trials=N]`.
 *
 * @module
 */

import type { ResolvedHealth } from "../src/config/health_section.ts";
import type { ResolvedJob } from "../src/config/resolved.ts";
import { selectJobs } from "../src/config/selector.ts";
import type { ActionSource } from "../src/core/events.ts";
import { Supervisor } from "../src/core/supervisor.ts";
import { HealthWatchdog } from "../src/probes/health.ts";
import { Httpok, type HttpokContext } from "../src/probes/httpok.ts";
import { MemmonProbe } from "../src/probes/memmon.ts";
import { Memmon, type MemmonContext } from "../src/probes/memmon_listener.ts";
import { resolvedConfig, resolvedJob } from "../src/testing/resolved_job.ts";
import { summarize, type Summary } from "./lib/stats.ts";

const APP = new URL("../tests/fixtures/health_app.py", import.meta.url).pathname;
const MB = 1024 * 1024;

/** One probe's figures. */
export interface ProbeFigures {
  probe: string;
  /** The configuration measured. */
  settings: string;
  /** The bound issue 9 sets for it, ms. */
  boundMs: number;
  /** Start → restart asked, ms. */
  summary: Summary;
  samplesMs: number[];
  withinBound: boolean;
  /** superlance's figure for the same case, when it has one. */
  superlance: string;
}

/** What the bench reports. */
export interface HealthBenchResult {
  results: ProbeFigures[];
}

/** A supervisor with jobs, stopped by `close`. */
async function withJobs<T>(
  jobs: ResolvedJob[],
  body: (sup: Supervisor) => Promise<T>,
): Promise<T> {
  const sup = new Supervisor({ onError: () => {} });
  try {
    sup.apply(resolvedConfig(jobs));
    return await body(sup);
  } finally {
    await sup.shutdown();
  }
}

/** Resolves with the `at` of the next restart asked for `job` by `source`. */
function nextRestart(sup: Supervisor, job: string, source: ActionSource): Promise<number> {
  return new Promise((resolve) => {
    const off = sup.bus.on("job.action", (e) => {
      if (e.job !== job || e.action !== "restart" || e.reason.source !== source) return;
      off();
      resolve(e.at);
    });
  });
}

/** Resolves once the job's current run is ready. */
function ready(sup: Supervisor, job: string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => sup.jobStatus(job)?.ready === true;
    if (check()) return resolve();
    const off = sup.bus.on("job.ready", (e) => {
      if (e.job === job) {
        off();
        resolve();
      }
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A context over the supervisor for a built-in listener named `name`. */
function listenerContext(sup: Supervisor, name: string): HttpokContext & MemmonContext {
  return {
    name,
    restart: (job, detail) => sup.restart(job, { source: "listener", by: name, detail }),
    status: () => sup.status(),
    jobs: (selectors) => selectJobs(selectors, sup.config().jobs),
    notify: () => Promise.resolve([]),
    log: { debug() {}, info() {}, warn() {} },
  };
}

/** Hung HTTP app: health check or httpok, start = the app starts hanging. */
async function hungApp(
  trials: number,
  dir: string,
  kind: "health" | "httpok",
): Promise<number[]> {
  const port = 20000 + Math.floor(Math.random() * 10000);
  const mode = `${dir}/mode-${kind}`;
  await Deno.writeTextFile(mode, "ok");
  const health: ResolvedHealth = {
    check: {
      kind: "http",
      url: `http://127.0.0.1:${port}/`,
      status: null,
      body: null,
      headers: {},
    },
    intervalMs: 1000,
    timeoutMs: 1000,
    failures: 3,
    startPeriodMs: 30_000,
    action: "restart",
  };
  const job = resolvedJob("app", ["python3", "-u", APP, String(port), mode], {
    health: kind === "health" ? health : null,
    stdout: { kind: "discard" },
    stderr: { kind: "discard" },
    killTimeoutMs: 1000,
  });
  return await withJobs([job], async (sup) => {
    const samples: number[] = [];
    const dog = kind === "health" ? new HealthWatchdog(sup) : null;
    dog?.apply(sup.config());
    const httpok = kind === "httpok"
      ? new Httpok({
        url: `http://127.0.0.1:${port}/`,
        jobs: ["app"],
        timeoutMs: 1000,
        status: [200],
        body: null,
        headers: {},
        eager: true,
        coreDir: null,
        gcore: [],
        notify: false,
        intervalMs: 1000,
      }, listenerContext(sup, "httpok"))
      : null;
    httpok?.start();
    try {
      for (let i = 0; i < trials; i++) {
        await Deno.writeTextFile(mode, "ok");
        if (kind === "health") await ready(sup, "app");
        // Let the app serve a while; a random phase against the check interval.
        await sleep(1500 + Math.random() * 1000);
        const restarted = nextRestart(sup, "app", kind === "health" ? "health" : "listener");
        await Deno.writeTextFile(mode, "hang");
        const start = Date.now();
        samples.push(await restarted - start);
        await Deno.writeTextFile(mode, "ok");
        await sleep(300);
      }
    } finally {
      dog?.close();
      await httpok?.close();
    }
    return samples;
  });
}

/** A job over its memory limit: start = its child has written the memory. */
async function overMemory(trials: number, dir: string, kind: "maxMemory" | "memmon") {
  const samples: number[] = [];
  for (let i = 0; i < trials; i++) {
    const stamp = `${dir}/grew-${kind}-${i}`;
    const go = `${dir}/go-${kind}-${i}`;
    // The shell stays small; once `go` exists its child stamps the time, then writes 64 MB
    // (about 30 ms: the start is taken before it, so the figures include that).
    const grow = `import os, time\nwhile not os.path.exists("${go}"): time.sleep(0.005)\n` +
      `open("${stamp}", "w").write(str(time.time() * 1000))\nb = b"x" * (64 << 20)\n` +
      `time.sleep(60)`;
    const job = resolvedJob("hog", ["sh", "-c", `python3 -c '${grow}' & wait`], {
      maxMemoryBytes: kind === "maxMemory" ? 32 * MB : null,
      killTimeoutMs: 1000,
    });
    samples.push(
      await withJobs([job], async (sup) => {
        const probe = kind === "maxMemory" ? new MemmonProbe(sup, { intervalMs: 1000 }) : null;
        probe?.apply(sup.config());
        const memmon = kind === "memmon"
          ? new Memmon({
            limits: [{ selector: "hog", bytes: 32 * MB }],
            cumulative: true,
            intervalMs: 1000,
            notify: false,
            uptimeLimitMs: null,
          }, listenerContext(sup, "memmon"))
          : null;
        memmon?.start();
        try {
          await sleep(500 + Math.random() * 1000);
          const restarted = nextRestart(sup, "hog", kind === "maxMemory" ? "memmon" : "listener");
          await Deno.writeTextFile(go, "");
          const at = await restarted;
          return Math.round(at - Number(await Deno.readTextFile(stamp)));
        } finally {
          probe?.close();
          memmon?.close();
        }
      }),
    );
  }
  return samples;
}

/** Runs every case; `trials` per case. */
export async function runHealthBench(
  options: { quick?: boolean; trials?: number; log?: (m: string) => void } = {},
): Promise<HealthBenchResult> {
  const trials = options.trials ?? (options.quick ? 3 : 5);
  const log = options.log ?? ((m: string) => console.error(m));
  const dir = await Deno.makeTempDir({ prefix: "sup-bench-health-" });
  const results: ProbeFigures[] = [];
  const add = (
    probe: string,
    settings: string,
    boundMs: number,
    samples: number[],
    peer: string,
  ) => {
    const summary = summarize(samples);
    results.push({
      probe,
      settings,
      boundMs,
      summary,
      samplesMs: samples,
      withinBound: summary.max <= boundMs,
      superlance: peer,
    });
    log(`${probe}: median ${summary.median} ms, max ${summary.max} ms (bound ${boundMs} ms)`);
  };
  try {
    add(
      "health.http (hung app)",
      "interval 1s, failures 3, timeout 1s",
      3 * 1000 + 1000 + 50,
      await hungApp(trials, dir, "health"),
      "no health checks",
    );
    add(
      "httpok (hung app)",
      "interval 1s, timeout 1s",
      1000 + 1000 + 50,
      await hungApp(trials, dir, "httpok"),
      "3.5 s (max 5.4) at TICK_5",
    );
    add(
      "maxMemory (child over the limit)",
      "interval 1s (tuned; the default is 5s)",
      1000 + 50,
      await overMemory(trials, dir, "maxMemory"),
      "3.1 s at TICK_5 (memmon -c)",
    );
    add(
      "memmon cumulative (child over the limit)",
      "interval 1s",
      1000 + 50,
      await overMemory(trials, dir, "memmon"),
      "3.1 s at TICK_5 (memmon -c)",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return { results };
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const trialsArg = Deno.args.find((a) => a.startsWith("--trials="));
  const result = await runHealthBench({
    quick,
    trials: trialsArg ? Number(trialsArg.slice("--trials=".length)) : undefined,
  });
  console.log("| probe | settings | start → restart asked, median (max) | bound | superlance |");
  console.log("| --- | --- | --- | --- | --- |");
  for (const r of result.results) {
    const within = r.withinBound ? "" : " (over)";
    console.log(
      `| ${r.probe} | ${r.settings} | ${r.summary.median} ms (${r.summary.max} ms)${within} | ` +
        `${r.boundMs} ms | ${r.superlance} |`,
    );
  }
}
