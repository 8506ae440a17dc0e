/**
 * The control CLI's round trip: `sup status --json` with 100 and 500 jobs,
 * beside `supervisorctl status`, `pm2 jlist` and `pm2 status` in the same
 * run, and the restart of one job (`sup restart`, `supervisorctl restart`,
 * `pm2 restart`): wall time from spawning the command to its exit, median
 * of `runs` runs. For sup also: the server's share (a status request to its
 * answer on the control socket, from this process, cold = after 1.1 s idle
 * so the /proc sample is taken, warm = back to back), and the CLI's start-up
 * floor (an empty `deno run`, `sup --version`, `sup status --help`: the
 * module graph `status` loads, without a sup).
 *
 * Run alone: `deno run -A bench/status_rtt.ts [--quick] [--targets=sup,pm2]`.
 *
 * @module
 */

import { monoMs, sleep } from "./lib/clock.ts";
import type { BenchContext } from "./lib/context.ts";
import { findPm2, findSup, repoRoot } from "./lib/peers.ts";
import { openSession, type Session, stampJob } from "./lib/session.ts";
import { waitForStamps } from "./lib/stamp.ts";
import { summarize, type Summary } from "./lib/stats.ts";
import type { Target } from "./lib/target.ts";

/** Figures of one supervisor at one job count. */
export interface StatusRttRow {
  target: string;
  jobs: number;
  /** Command → wall time (ms) of its runs. */
  commands: Record<string, Summary>;
  /**
   * sup only: status request → answer on the socket (ms): the first to a new
   * sup, cold (after 30 s without a request), 1.1 s apart, back to back.
   */
  server?: { first: number; cold: Summary; warm: Summary; backToBack: Summary; bytes: number };
  errors: string[];
}

/** Everything this bench measures. */
export interface StatusRttResult {
  rows: StatusRttRow[];
  /** sup's CLI start-up floor (ms). */
  floor: Record<string, Summary>;
}

async function timed(
  argv: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ ms: number; ok: boolean; out: string }> {
  const t0 = monoMs();
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    env,
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const ms = monoMs() - t0;
  const text = new TextDecoder();
  return { ms, ok: out.success, out: text.decode(out.stdout) + text.decode(out.stderr) };
}

/** The commands to time for `target`, by label. */
async function commandsOf(
  target: Target,
  session: Session,
  ctx: BenchContext,
): Promise<Record<string, { argv: string[]; env: Record<string, string> }>> {
  const dir = session.dir;
  switch (target.name) {
    case "sup": {
      const sup = await findSup(ctx.options.source, ctx.options.supBin, ctx.options.supV8Flags);
      const env = { XDG_RUNTIME_DIR: `${dir}/runtime`, SUP_STATE_DIR: `${dir}/runtime/sup` };
      return {
        "status --json": { argv: [...sup.argv, "status", "--json"], env },
        "status (table)": { argv: [...sup.argv, "status"], env: { ...env, NO_COLOR: "1" } },
        "restart one job": { argv: [...sup.argv, "restart", "sleep-0"], env },
      };
    }
    case "supervisord": {
      const conf = `${dir}/supervisord.conf`;
      return {
        "supervisorctl status": { argv: ["supervisorctl", "-c", conf, "status"], env: {} },
        "restart one job": {
          argv: ["supervisorctl", "-c", conf, "restart", "sleep-0"],
          env: {},
        },
      };
    }
    case "pm2": {
      const pm2 = (await findPm2())!;
      const env = { PM2_HOME: `${dir}/pm2`, NO_COLOR: "1" };
      return {
        "pm2 jlist": { argv: [...pm2.argv, "jlist"], env },
        "pm2 status": { argv: [...pm2.argv, "status"], env },
        "restart one job": { argv: [...pm2.argv, "restart", "sleep-0"], env },
      };
    }
  }
  return {};
}

/** How long sup's status sampler keeps sampling after the last request (`probes/proc_usage.ts`). */
const KEEP_WARM_MS = 30_000;

/** A client on sup's control socket that times status requests from this process. */
function statusClient(session: Session) {
  const folder = `${session.dir}/runtime/sup`;
  const socket = [...Deno.readDirSync(folder)].find((e) => e.name.endsWith(".sock"))!.name;
  const client = Deno.createHttpClient({
    proxy: { transport: "unix", path: `${folder}/${socket}` },
  });
  const ask = async (path = "/api/control/status") => {
    const t0 = monoMs();
    const response = await fetch(`http://localhost${path}`, { client });
    const body = await response.arrayBuffer();
    return { ms: monoMs() - t0, bytes: body.byteLength };
  };
  return { ask, close: () => client.close() };
}

/**
 * The first status request to a new sup: its sampler meets every process on
 * the machine (after one request that opens the connection).
 */
async function firstShare(session: Session): Promise<number> {
  const { ask, close } = statusClient(session);
  try {
    await ask("/api/control/info");
    return (await ask()).ms;
  } finally {
    close();
  }
}

/**
 * Status requests later on: 1.1 s apart (commands typed one after another,
 * `status -w`), back to back, and cold: after the sampler stopped (30 s
 * without a request), `coldRuns` times.
 */
async function serverShare(session: Session, runs: number, coldRuns: number) {
  const { ask, close } = statusClient(session);
  try {
    await ask(); // connection and first-request costs
    const warm: number[] = [];
    const backToBack: number[] = [];
    const cold: number[] = [];
    let bytes = 0;
    for (let i = 0; i < runs; i++) {
      await sleep(1_100);
      warm.push((await ask()).ms);
      for (let j = 0; j < 3; j++) {
        const r = await ask();
        backToBack.push(r.ms);
        bytes = r.bytes;
      }
    }
    for (let i = 0; i < coldRuns; i++) {
      await sleep(KEEP_WARM_MS + 1_500);
      cold.push((await ask()).ms);
    }
    return {
      cold: summarize(cold),
      warm: summarize(warm),
      backToBack: summarize(backToBack),
      bytes,
    };
  } finally {
    close();
  }
}

async function measure(
  ctx: BenchContext,
  target: Target,
  count: number,
  runs: number,
): Promise<StatusRttRow> {
  const row: StatusRttRow = { target: target.name, jobs: count, commands: {}, errors: [] };
  let session: Session | undefined;
  try {
    session = await openSession(
      ctx,
      target,
      `status${count}`,
      (_d, file) =>
        Array.from({ length: count }, (_, i) => ({
          name: `sleep-${i}`,
          cmd: stampJob(ctx, file, `sleep-${i}`),
          minUptimeMs: 100,
        })),
    );
    await waitForStamps(session.stampFile, count, 120_000, 5);
    await sleep(1_000);
    const first = target.name === "sup" ? await firstShare(session) : null;
    for (const [label, { argv, env }] of Object.entries(await commandsOf(target, session, ctx))) {
      const samples: number[] = [];
      for (let i = 0; i < runs + 1; i++) {
        const run = await timed(argv, env, session.dir);
        if (!run.ok) throw new Error(`${label}: ${run.out.slice(0, 500)}`);
        if (i > 0) samples.push(run.ms); // the first warms caches (disk, Deno's, Python's)
        if (label === "restart one job") await sleep(300);
      }
      row.commands[label] = summarize(samples);
      ctx.log(
        `status: ${target.name} ${count} jobs: ${label} median ${
          row.commands[label].median.toFixed(1)
        } ms`,
      );
    }
    if (target.name === "sup") {
      const share = await serverShare(
        session,
        Math.max(3, Math.round(runs / 2)),
        ctx.options.quick ? 1 : 3,
      );
      row.server = { first: first!, ...share };
      ctx.log(
        `status: sup ${count} jobs: server share first ${first!.toFixed(2)} ms, cold ` +
          `${share.cold.median.toFixed(2)} ms, 1.1 s apart ${share.warm.median.toFixed(2)} ms, ` +
          `back to back ${share.backToBack.median.toFixed(2)} ms (${share.bytes} bytes)`,
      );
    }
  } catch (e) {
    row.errors.push(e instanceof Error ? e.message : String(e));
    ctx.log(`status: ${target.name} ${count} jobs: ${row.errors.at(-1)}`);
  } finally {
    await session?.end();
  }
  return row;
}

/** sup's CLI start-up floor: an empty program, `--version`, `status --help`. */
async function floor(ctx: BenchContext, runs: number): Promise<Record<string, Summary>> {
  const sup = await findSup(ctx.options.source, ctx.options.supBin, ctx.options.supV8Flags);
  const empty = `${await ctx.dir("floor")}/empty.ts`;
  await Deno.writeTextFile(empty, "");
  const deno = sup.argv[0] === Deno.execPath() ? sup.argv.slice(0, -1) : [Deno.execPath(), "run"];
  const cases: Record<string, string[]> = {
    "deno run (empty file)": [...deno, empty],
    "sup --version": [...sup.argv, "--version"],
    "sup status --help": [...sup.argv, "status", "--help"],
  };
  const out: Record<string, Summary> = {};
  for (const [label, argv] of Object.entries(cases)) {
    const samples: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const run = await timed(argv, {}, repoRoot());
      if (i > 0) samples.push(run.ms);
    }
    out[label] = summarize(samples);
    ctx.log(`status: floor: ${label} median ${out[label].median.toFixed(1)} ms`);
  }
  return out;
}

/** Measures every target at 100 and 500 jobs, then sup's start-up floor. */
export async function runStatusRtt(ctx: BenchContext): Promise<StatusRttResult> {
  const runs = ctx.options.quick ? 5 : 15;
  const rows: StatusRttRow[] = [];
  for (const count of [100, 500]) {
    for (const target of ctx.targets) rows.push(await measure(ctx, target, count, runs));
  }
  const result = { rows, floor: await floor(ctx, runs) };
  console.error(statusRttText(result));
  return result;
}

/** The figures as a text table (medians, ms). */
export function statusRttText(result: StatusRttResult): string {
  const lines = ["command (median ms)                       100 jobs   500 jobs"];
  const labels = new Map<string, Record<number, number>>();
  for (const row of result.rows) {
    for (const [label, s] of Object.entries(row.commands)) {
      const key = `${row.target}: ${label}`;
      labels.set(key, { ...labels.get(key), [row.jobs]: s.median });
    }
    if (row.server) {
      const share: Record<string, number> = {
        "first request": row.server.first,
        "cold (30 s quiet)": row.server.cold.median,
        "1.1 s apart": row.server.warm.median,
        "back to back": row.server.backToBack.median,
      };
      for (const [kind, ms] of Object.entries(share)) {
        const key = `sup: server share, ${kind}`;
        labels.set(key, { ...labels.get(key), [row.jobs]: ms });
      }
    }
  }
  for (const [label, by] of labels) {
    const cell = (n: number) => (by[n] === undefined ? "-" : by[n].toFixed(by[n] < 10 ? 2 : 0));
    lines.push(`${label.padEnd(40)} ${cell(100).padStart(9)} ${cell(500).padStart(10)}`);
  }
  for (const [label, s] of Object.entries(result.floor)) {
    lines.push(`floor: ${label.padEnd(33)} ${s.median.toFixed(0).padStart(9)}`);
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const { standalone } = await import("./lib/standalone.ts");
  await standalone(["status"], runStatusRtt);
}
