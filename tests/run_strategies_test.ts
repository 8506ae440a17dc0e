/**
 * `sup run --detach` and `sup run --guardian` end to end: the real CLI
 * starts a real sup in the background; the test checks the processes in
 * /proc and ends every one it knows of by pid.
 */

import { runSup } from "./support/cli.ts";
import { equal, match, ok } from "node:assert/strict";
import { readProcStat } from "../src/core/proc_stat.ts";
import { detachFiles, readPidFile } from "../src/control/detach.ts";
import { until } from "../src/testing/wait.ts";
import { freeTcpPort, freeUdpPort } from "./support/ports.ts";

/** A config folder with its own state folder, and what the test started in it. */
interface Setup extends AsyncDisposable {
  dir: string;
  config: string;
  env: Record<string, string>;
  /** Files in the state folder ending with `suffix`. */
  stateFile(suffix: string): string;
  /** Runs the sup CLI; resolves with its exit code and output. */
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Pids to SIGKILL at the end, whatever happened. */
  pids: Set<number>;
}

async function setup(
  jobs: (dir: string) => Record<string, unknown>,
  httpPort?: number,
): Promise<Setup> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-detach-" }));
  const network = {
    http: { port: httpPort ?? freeTcpPort() },
    websocket: { port: freeTcpPort() },
    osc: { port: await freeUdpPort() },
  };
  const config = `${dir}/sup.json`;
  await Deno.writeTextFile(config, JSON.stringify({ network, jobs: jobs(dir) }));
  await Deno.mkdir(`${dir}/state`);
  const env = { SUP_STATE_DIR: `${dir}/state`, NO_COLOR: "1" };
  const pids = new Set<number>();
  const stateFile = (suffix: string) => {
    for (const entry of Deno.readDirSync(`${dir}/state`)) {
      if (entry.name.endsWith(suffix)) return `${dir}/state/${entry.name}`;
    }
    return `${dir}/state/(no *${suffix})`;
  };
  return {
    dir,
    config,
    env,
    stateFile,
    pids,
    cli(...args) {
      return runSup(args, dir, { env, timeoutMs: 90_000 });
    },
    async [Symbol.asyncDispose]() {
      // Whatever a failed test left: the pids it knew, and those in the pid files.
      const files = detachFiles(stateFile(".json"));
      for (const file of [files.guardianPid, files.pid]) {
        const pid = readPidFile(file);
        if (pid !== null) pids.add(pid);
      }
      for (const pid of pids) {
        kill(-pid, "SIGKILL"); // jobs lead their process groups
        kill(pid, "SIGKILL");
      }
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

function alive(pid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.state !== "Z";
}

function kill(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(pid, signal);
  } catch {
    // Gone already.
  }
}

/** The pid a job wrote to `file` (waits for it). */
async function jobPid(file: string): Promise<number> {
  let pid: number | null = null;
  await until(() => (pid = readPidFile(file)) !== null, `a pid in ${file}`, 20_000);
  return pid!;
}

Deno.test("run --detach returns once sup answers on its socket; sup shutdown then leaves no process", async () => {
  await using s = await setup((dir) => ({
    worker: { cmd: ["sh", "-c", `echo $$ > ${dir}/worker.pid; echo working; exec sleep 300`] },
  }));
  const started = await s.cli("run", s.config, "--detach");
  equal(started.code, 0, started.stderr);
  match(started.stdout, /^sup \d+ is running ".*sup\.json" in the background\n/);
  const pidFile = detachFiles(s.stateFile(".json")).pid;
  match(started.stdout, new RegExp(`pid file: ${pidFile}`));
  match(started.stdout, new RegExp(`socket: +${s.stateFile(".sock")}\n`));
  const sup = readPidFile(pidFile)!;
  ok(sup !== null);
  s.pids.add(sup);
  ok(alive(sup), "sup runs after the command returned");
  const worker = await jobPid(`${s.dir}/worker.pid`);
  s.pids.add(worker);
  const log = s.stateFile(".log");
  await until(
    () => Deno.readTextFileSync(log).includes("sup·job·worker·stdout: working"),
    "the job's output in the log",
  );
  equal(readProcStat(sup)!.session, sup, "sup leads a session of its own");
  const logs = await s.cli("logs", "worker");
  equal(logs.code, 0, logs.stderr);
  match(logs.stdout, /^\d{4}-\d\d-\d\d [\d:.]+ worker out \| working\n$/);

  const shutdown = await s.cli("shutdown");
  equal(shutdown.code, 0, shutdown.stderr);
  match(shutdown.stdout, new RegExp(`sup ${sup} stopped`));
  ok(!alive(sup) && !alive(worker), "sup and its job are gone when shutdown returns");
  await until(async () => !(await exists(pidFile)), "the pid file removed");
});

Deno.test("run --detach fails with sup's own error when sup cannot start, and leaves nothing running", async () => {
  const port = freeTcpPort();
  using _taken = Deno.listen({ hostname: "127.0.0.1", port });
  await using s = await setup(
    (dir) => ({ worker: { cmd: ["sh", "-c", `echo $$ > ${dir}/worker.pid; exec sleep 300`] } }),
    port,
  );
  const result = await s.cli("run", s.config, "--detach");
  equal(result.code, 1);
  match(result.stderr, /sup did not come up: it exited with code 1; its output \(".*\.log"\):/);
  match(result.stderr, new RegExp(`Cannot start: network\\.http.*${port}`));
  const guarded = await s.cli("run", s.config, "--guardian");
  equal(guarded.code, 1);
  match(guarded.stderr, /sup did not come up: its guardian exited with code 1/);
  match(guarded.stderr, /sup·guardian: sup \d+ exited with code 1 before it was up: giving up/);
  ok(!(await exists(`${s.dir}/worker.pid`)), "no job was started");
});

Deno.test("run --detach refuses at once when a sup already runs the config", async () => {
  await using s = await setup(() => ({ idle: { cmd: "sleep 300" } }));
  const first = await s.cli("run", s.config, "--detach");
  equal(first.code, 0, first.stderr);
  const sup = readPidFile(detachFiles(s.stateFile(".json")).pid)!;
  ok(sup !== null);
  s.pids.add(sup);
  const second = await s.cli("run", s.config, "--detach");
  equal(second.code, 1);
  match(second.stderr, new RegExp(`Another sup \\(pid ${sup}\\) is already running config`));
  kill(sup, "SIGTERM");
  await until(() => !alive(sup), "sup gone", 15_000);
});

Deno.test("run --guardian: a SIGKILLed sup is started again, no job ever runs twice; sup shutdown ends all", async () => {
  await using s = await setup((dir) => ({
    // flock fails at once if another copy still holds the lock: a duplicate leaves a mark.
    worker: {
      cmd: [
        "sh",
        "-c",
        `echo $$ >> ${dir}/worker.pids; exec flock -n ${dir}/worker.lock sh -c 'exec sleep 300' ` +
        `|| echo duplicate >> ${dir}/duplicates`,
      ],
    },
  }));
  const started = await s.cli("run", s.config, "--guardian");
  equal(started.code, 0, started.stderr);
  match(started.stdout, /^sup \d+ is running ".*" in the background \(guardian \d+\)/);
  const files = detachFiles(s.stateFile(".json"));
  const guardian = readPidFile(files.guardianPid)!;
  const first = readPidFile(files.pid)!;
  s.pids.add(guardian).add(first);
  const pids = () =>
    Deno.readTextFileSync(`${s.dir}/worker.pids`).split("\n").filter((l) => l).map(Number);
  await until(() => pids().length === 1, "the job started", 20_000);
  const oldJob = pids()[0];
  s.pids.add(oldJob);

  kill(first, "SIGKILL");
  let second = 0;
  await until(
    () => {
      const pid = readPidFile(files.pid);
      return pid !== null && pid !== first && alive(pid) && (second = pid) > 0;
    },
    "a new sup",
    30_000,
  );
  s.pids.add(second);
  await until(() => pids().length === 2, "the job started by the new sup", 20_000);
  s.pids.add(pids()[1]);
  ok(!alive(oldJob), "the old sup's job was ended by the new sup");
  ok(!(await exists(`${s.dir}/duplicates`)), "no two copies of the job ran at once");
  const log = Deno.readTextFileSync(s.stateFile(".log"));
  match(
    log,
    new RegExp(
      `sup·guardian: sup ${first} was killed by SIGKILL after [\\d.]+s; starting it again`,
    ),
  );
  match(log, /Job "worker" was left running by a previous sup: (stopped|killed) its process group/);

  const shutdown = await s.cli("shutdown");
  equal(shutdown.code, 0, shutdown.stderr);
  await until(
    () => !alive(guardian) && !alive(second) && !alive(pids()[1]),
    "guardian, sup and job gone",
    15_000,
  );
  match(
    Deno.readTextFileSync(s.stateFile(".log")),
    /stopped on purpose \(exit code 0\): the guardian ends/,
  );
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("two sups started with --detach from different configs are told apart", async () => {
  await using a = await setup(() => ({
    alpha: { cmd: ["sh", "-c", "echo from alpha; exec sleep 300"] },
  }));
  await using b = await setup(() => ({
    beta: { cmd: ["sh", "-c", "echo from beta; exec sleep 300"] },
  }));
  // Both sups put their sockets in one runtime folder, as two sups of one user do.
  const shared = `${a.dir}/state`;
  b.env.SUP_STATE_DIR = shared;
  const first = await a.cli("run", a.config, "--detach");
  equal(first.code, 0, first.stderr);
  const second = await b.cli("run", b.config, "--detach");
  equal(second.code, 0, second.stderr);
  const socketOf = (out: string) => out.match(/socket: +(\S+)/)![1];
  ok(socketOf(first.stdout) !== socketOf(second.stdout), "two sockets");
  for (const out of [first.stdout, second.stdout]) a.pids.add(Number(out.match(/^sup (\d+)/)![1]));

  const alpha = await a.cli("logs", "--config", a.config);
  equal(alpha.code, 0, alpha.stderr);
  match(alpha.stdout, /alpha out \| from alpha/);
  ok(!alpha.stdout.includes("beta"), alpha.stdout);
  const beta = await a.cli("logs", "--config", b.config, "beta");
  match(beta.stdout, /beta out \| from beta/);
  const which = await a.cli("logs");
  equal(which.code, 1);
  match(which.stderr, /sups are running/i);
  for (const config of [a.config, b.config]) {
    const done = await a.cli("shutdown", "--config", config);
    equal(done.code, 0, done.stderr);
  }
});
