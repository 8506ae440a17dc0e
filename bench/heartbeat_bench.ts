/**
 * Heartbeat bench: OSC heartbeat ingestion from 1000 simulated apps (sent vs
 * received, CPU of sup's side) and detection latency (deadline → restart
 * asked), idle and under load. Run alone with
 * `deno run -A bench/heartbeat_bench.ts [--quick]`, or from `bench/run.ts`.
 *
 * @module
 */

import { quantile } from "./lib/stats.ts";

/** Options from `bench/run.ts`. */
export interface HeartbeatBenchOptions {
  quick?: boolean;
  tmp?: string;
  log?: (message: string) => void;
}

/** One ingestion run at one offered rate. */
export interface IngestRun {
  offeredPerSecond: number;
  seconds: number;
  sent: number;
  received: number;
  accepted: number;
  lossPercent: number;
  acceptedPerSecond: number;
  /** CPU seconds sup's side used per wall second (1.0 = one core). */
  cpuCores: number;
  /** CPU microseconds per accepted heartbeat. */
  cpuMicrosPerHeartbeat: number;
}

/** Medians over the runs at one offered rate. */
export interface IngestMedian {
  offeredPerSecond: number;
  runs: number;
  acceptedPerSecond: number;
  lossPercent: number;
  cpuCores: number;
  cpuMicrosPerHeartbeat: number;
}

/** Latency figures in milliseconds. */
export interface LatencySummary {
  trials: number;
  p50: number;
  p99: number;
  max: number;
}

/** What the bench reports. */
export interface HeartbeatBenchResult {
  apps: number;
  /** The socket sup uses here ("recvmmsg" on Linux). */
  socket: string;
  ingestion: IngestRun[];
  /** Medians of the runs at each offered rate. */
  ingestionMedians: IngestMedian[];
  /** The same load through the portable `node:dgram` socket (full run only). */
  nodeDgram: IngestMedian[] | null;
  latencyIdle: LatencySummary;
  latencyUnderLoad: LatencySummary & { loadPerSecond: number };
  peers: string;
}

const APPS = 1000;

/** utime + stime of `pid` in seconds, all threads (/proc/<pid>/stat, 10 ms ticks). */
function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}
const PEERS = "No like-for-like peer runs here: systemd's WatchdogSec (sd_notify WATCHDOG=1) " +
  "needs systemd as init, which these machines do not run; PM2 and supervisord have no " +
  "heartbeat watchdog (PM2 only restarts on exit or memory).";

class Child {
  #proc: Deno.ChildProcess;
  socket = "";
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: AsyncIterator<string>;
  pid = 0;
  port = 0;

  constructor(udp: "auto" | "node") {
    const child = new URL("./heartbeat_child.ts", import.meta.url).pathname;
    this.#proc = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", child, String(APPS)],
      env: udp === "node" ? { SUP_UDP: "node" } : {},
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#proc.stdin.getWriter();
    this.#lines = lines(this.#proc.stdout);
  }

  async ready(): Promise<void> {
    const hello = await this.#read() as { port: number; pid: number; socket: string };
    this.port = hello.port;
    this.pid = hello.pid;
    this.socket = hello.socket;
  }

  async ask<T>(command: string): Promise<T> {
    await this.#writer.write(new TextEncoder().encode(command + "\n"));
    return await this.#read() as T;
  }

  async #read(): Promise<unknown> {
    const next = await this.#lines.next();
    if (next.done) throw new Error("The heartbeat bench child ended early");
    return JSON.parse(next.value);
  }

  async close(): Promise<void> {
    try {
      await this.#writer.write(new TextEncoder().encode("quit\n"));
      await this.#writer.close();
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => this.#proc.kill("SIGKILL"), 5000);
    await this.#proc.status;
    clearTimeout(timer);
  }
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    yield* parts.filter((p) => p.trim() !== "");
  }
}

function send(port: number, rate: number, seconds: number): Promise<number> {
  const script = new URL("./heartbeat_sender.py", import.meta.url).pathname;
  return new Deno.Command("python3", {
    args: [script, String(port), String(rate), String(seconds), String(APPS)],
    stdout: "piped",
    stderr: "inherit",
  }).output().then((out) => Number(new TextDecoder().decode(out.stdout).trim()));
}

interface Stats {
  received: number;
  heartbeats: number;
  rejected: number;
}

async function ingest(child: Child, rate: number, seconds: number): Promise<IngestRun> {
  const before = await child.ask<Stats>("stats");
  const cpu0 = cpuSeconds(child.pid);
  const t0 = performance.now();
  const sent = await send(child.port, rate, seconds);
  await new Promise((r) => setTimeout(r, 300)); // let the socket drain
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(child.pid) - cpu0;
  const after = await child.ask<Stats>("stats");
  const received = after.received - before.received;
  const accepted = after.heartbeats - before.heartbeats;
  return {
    offeredPerSecond: rate,
    seconds,
    sent,
    received,
    accepted,
    lossPercent: round(100 * (sent - accepted) / Math.max(1, sent), 2),
    acceptedPerSecond: Math.round(accepted / seconds),
    cpuCores: round(cpu / wall, 3),
    cpuMicrosPerHeartbeat: round((cpu * 1e6) / Math.max(1, accepted), 2),
  };
}

function summary(values: number[]): LatencySummary {
  return {
    trials: values.length,
    p50: round(quantile(values, 0.5), 2),
    p99: round(quantile(values, 0.99), 2),
    max: round(Math.max(...values), 2),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The median of each figure over the runs at one rate. */
function medianRun(runs: IngestRun[]): IngestMedian {
  const m = (key: keyof IngestRun) => quantile(runs.map((r) => r[key]), 0.5);
  return {
    offeredPerSecond: runs[0].offeredPerSecond,
    runs: runs.length,
    acceptedPerSecond: Math.round(m("acceptedPerSecond")),
    lossPercent: round(m("lossPercent"), 2),
    cpuCores: round(m("cpuCores"), 3),
    cpuMicrosPerHeartbeat: round(m("cpuMicrosPerHeartbeat"), 2),
  };
}

async function ingestAll(
  udp: "auto" | "node",
  rates: number[],
  runsPerRate: number,
  seconds: number,
  log: (m: string) => void,
): Promise<{ socket: string; runs: IngestRun[]; medians: IngestMedian[]; child: Child }> {
  const child = new Child(udp);
  await child.ready();
  await send(child.port, 20_000, 0.5); // warm-up: JIT, first-beat markReady of every app
  const runs: IngestRun[] = [];
  for (const rate of rates) {
    for (let i = 0; i < runsPerRate; i++) {
      const run = await ingest(child, rate, seconds);
      log(
        `heartbeat ingest (${child.socket}): offered ${rate}/s, accepted ${run.acceptedPerSecond}/s, ` +
          `loss ${run.lossPercent}%, cpu ${run.cpuCores} cores`,
      );
      runs.push(run);
    }
  }
  const medians = rates.map((rate) => medianRun(runs.filter((r) => r.offeredPerSecond === rate)));
  return { socket: child.socket, runs, medians, child };
}

/** Runs the heartbeat bench and returns its figures. */
export async function runHeartbeatBench(
  options: HeartbeatBenchOptions = {},
): Promise<HeartbeatBenchResult> {
  const log = options.log ?? ((m: string) => console.error(m));
  const quick = options.quick ?? false;
  const rates = quick ? [60_000, 100_000] : [60_000, 100_000, 150_000];
  const runsPerRate = quick ? 1 : 3;
  const seconds = quick ? 2 : 3;
  const { socket, runs, medians, child } = await ingestAll(
    "auto",
    rates,
    runsPerRate,
    seconds,
    log,
  );
  try {
    const trials = quick ? 100 : 300;
    const idle = await child.ask<{ latencies: number[] }>(`latency ${trials} 100`);
    const loadPerSecond = 60_000;
    const load = send(child.port, loadPerSecond, quick ? 3 : 6);
    await new Promise((r) => setTimeout(r, 300));
    const loaded = await child.ask<{ latencies: number[] }>(`latency ${trials} 100`);
    await load;
    const result: HeartbeatBenchResult = {
      apps: APPS,
      socket,
      ingestion: runs,
      ingestionMedians: medians,
      nodeDgram: null,
      latencyIdle: summary(idle.latencies),
      latencyUnderLoad: { ...summary(loaded.latencies), loadPerSecond },
      peers: PEERS,
    };
    log(
      `heartbeat detection latency: idle p50 ${result.latencyIdle.p50} ms, p99 ${result.latencyIdle.p99} ms; ` +
        `under ${loadPerSecond}/s p50 ${result.latencyUnderLoad.p50} ms, p99 ${result.latencyUnderLoad.p99} ms`,
    );
    await child.close();
    if (!quick && socket !== "node:dgram") {
      const node = await ingestAll("node", [60_000, 100_000], 1, seconds, log);
      await node.child.close();
      result.nodeDgram = node.medians;
    }
    return result;
  } finally {
    await child.close();
  }
}

if (import.meta.main) {
  const result = await runHeartbeatBench({ quick: Deno.args.includes("--quick") });
  console.log(JSON.stringify(result, null, 2));
}
