/**
 * Options of `deno task bench` and the context every benchmark receives:
 * temp dir, stamp helper, the supervisors found, and a cleanup list that
 * ends every process the run started.
 *
 * @module
 */

import { hasMonotonicClock } from "./clock.ts";
import { findPm2, findSup, findSupervisord } from "./peers.ts";
import { Pm2Target } from "./pm2_target.ts";
import { buildStamp, type StampHelper } from "./stamp.ts";
import { SupTarget } from "./sup_target.ts";
import { SupervisordTarget } from "./supervisord_target.ts";
import type { Running, Target } from "./target.ts";

/** Command-line options of the bench. */
export interface BenchOptions {
  /** Short run (~2 min): fewer trials, 10 s idle window. */
  quick: boolean;
  /** Benchmarks to run: restart, scale, log, heartbeat. */
  only: string[];
  /** Supervisors to measure: sup, supervisord, pm2. */
  targets: string[];
  /** Restart-latency trials per supervisor. */
  trials: number;
  /** Idle CPU window, seconds. */
  idleSeconds: number;
  /** Start/stop runs at 100 jobs per supervisor. */
  scaleRuns: number;
  /** Log-throughput runs per writer. */
  logRuns: number;
  /** Bytes the log writer writes. */
  logBytes: number;
  /** Run sup from source even when dist/sup exists. */
  source: boolean;
  /** A sup executable to measure instead of dist/sup or main.ts. */
  supBin?: string;
  /** V8 flags for `deno run` of main.ts (experiments, e.g. "--max-semi-space-size=1"). */
  supV8Flags?: string;
  /** Keep the temp dir (for reading supervisor logs). */
  keep: boolean;
  /** Where results.json goes. */
  out: string;
  /** The metrics bench also measures sup at this git revision (`--metrics-base=REV`). */
  metricsBase?: string;
}

const ALL_BENCHES = [
  "restart",
  "scale",
  "log",
  "heartbeat",
  "flood",
  "health",
  "status",
  "metrics",
];
const ALL_TARGETS = ["sup", "supervisord", "pm2"];

function listArg(value: string, allowed: string[], flag: string): string[] {
  const items = value.split(",").map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item)) {
      throw new Error(`${flag}: "${item}" is not one of ${allowed.join(", ")}`);
    }
  }
  return items;
}

function numberArg(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new Error(`${flag}: "${value}" is not a positive number`);
  }
  return n;
}

/**
 * Parses `--quick`, `--only=restart,scale,log,heartbeat,flood,status`, `--targets=sup,supervisord,pm2`,
 * `--trials=N`, `--idle-seconds=N`, `--scale-runs=N`, `--log-runs=N`, `--log-mb=N`,
 * `--source`, `--sup-bin=PATH`, `--sup-v8-flags=FLAGS`, `--keep`, `--out=FILE`,
 * `--metrics-base=REV`.
 */
export function parseOptions(args: string[]): BenchOptions {
  const quick = args.includes("--quick");
  const opts: BenchOptions = {
    quick,
    only: ALL_BENCHES,
    targets: ALL_TARGETS,
    trials: quick ? 15 : 40,
    idleSeconds: quick ? 10 : 60,
    scaleRuns: quick ? 2 : 5,
    logRuns: quick ? 1 : 3,
    logBytes: 200 * 1024 * 1024,
    source: false,
    keep: false,
    out: new URL("../results.json", import.meta.url).pathname,
  };
  for (const arg of args) {
    const [flag, value = ""] = arg.split(/=(.*)/s, 2);
    switch (flag) {
      case "--quick":
        break;
      case "--only":
        opts.only = listArg(value, ALL_BENCHES, flag);
        break;
      case "--targets":
        opts.targets = listArg(value, ALL_TARGETS, flag);
        break;
      case "--trials":
        opts.trials = Math.round(numberArg(value, flag));
        break;
      case "--idle-seconds":
        opts.idleSeconds = numberArg(value, flag);
        break;
      case "--scale-runs":
        opts.scaleRuns = Math.round(numberArg(value, flag));
        break;
      case "--log-runs":
        opts.logRuns = Math.round(numberArg(value, flag));
        break;
      case "--log-mb":
        opts.logBytes = Math.round(numberArg(value, flag) * 1024 * 1024);
        break;
      case "--source":
        opts.source = true;
        break;
      case "--sup-bin":
        opts.supBin = value;
        break;
      case "--sup-v8-flags":
        opts.supV8Flags = value;
        break;
      case "--keep":
        opts.keep = true;
        break;
      case "--out":
        opts.out = value;
        break;
      case "--metrics-base":
        opts.metricsBase = value;
        break;
      default:
        throw new Error(`Unknown option "${arg}" (see bench/README.md)`);
    }
  }
  return opts;
}

/** What every benchmark receives. */
export interface BenchContext {
  /** The parsed options. */
  options: BenchOptions;
  /** Root temp dir of this run. */
  tmp: string;
  /** The child program that stamps its start. */
  stamp: StampHelper;
  /** Supervisors found and selected, sup first. */
  targets: Target[];
  /** Supervisors selected but not found, with the reason. */
  missing: Record<string, string>;
  /** Progress line on stderr. */
  log(message: string): void;
  /** A fresh directory under the temp dir. */
  dir(name: string): Promise<string>;
  /** Registers a launched supervisor so it is ended even if the run is interrupted; returns its release. */
  track(running: Running, jobPids: () => Iterable<number>): () => void;
  /** Ends everything still registered. */
  cleanup(): Promise<void>;
}

/** Builds the context: temp dir, stamp helper, supervisors. */
export async function createContext(options: BenchOptions): Promise<BenchContext> {
  if (!hasMonotonicClock()) {
    throw new Error("Cannot read CLOCK_MONOTONIC through FFI from libc (run with -A)");
  }
  const tmp = await Deno.makeTempDir({ prefix: "sup-bench-" });
  const log = (message: string) => console.error(`[bench] ${message}`);
  const stamp = await buildStamp(tmp);
  if (stamp.kind === "perl") {
    log("no C compiler found: the stamp child runs under perl (adds its start-up to every figure)");
  }
  const targets: Target[] = [];
  const missing: Record<string, string> = {};
  if (options.targets.includes("sup")) {
    const info = await findSup(options.source, options.supBin, options.supV8Flags);
    targets.push(new SupTarget(info, stamp.marker));
  }
  if (options.targets.includes("supervisord")) {
    const info = await findSupervisord();
    if (info) targets.push(new SupervisordTarget(info, stamp.marker));
    else missing.supervisord = "not installed (run bench/install_peers.sh)";
  }
  if (options.targets.includes("pm2")) {
    const info = await findPm2();
    if (info) targets.push(new Pm2Target(info, stamp.marker));
    else missing.pm2 = "not installed (run bench/install_peers.sh)";
  }
  const live = new Map<number, { running: Running; jobPids: () => Iterable<number> }>();
  let seq = 0;
  let dirs = 0;
  return {
    options,
    tmp,
    stamp,
    targets,
    missing,
    log,
    dir: async (name) => {
      const d = `${tmp}/${String(++dirs).padStart(3, "0")}-${name}`;
      await Deno.mkdir(d, { recursive: true });
      return d;
    },
    track: (running, jobPids) => {
      const id = ++seq;
      live.set(id, { running, jobPids });
      return () => live.delete(id);
    },
    cleanup: async () => {
      for (const [id, { running, jobPids }] of live) {
        await running.dispose(jobPids()).catch(() => {});
        live.delete(id);
      }
    },
  };
}
