/**
 * Every control command against a live `sup run`, through the real CLI:
 * start, stop, restart, signal on names, groups and `all`, with a
 * did-you-mean and exit 1 for unknown names; restart returning as soon as
 * the new process runs; rotate; shutdown leaving no process behind.
 */
import { equal, match, ok } from "node:assert/strict";
import type { StatusReport } from "../src/core/control_api.ts";
import { until } from "../src/testing/wait.ts";
import { cliOf, envOf } from "./support/control_cli.ts";
import { startSupProcess, type SupRun } from "./support/sup_run.ts";

const sleeper = (groups: string[] = []) => ({ cmd: "sleep 600", groups });

async function status(sup: SupRun): Promise<StatusReport> {
  const run = await cliOf(sup, ["status", "--json"]);
  equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as StatusReport;
}

async function pids(sup: SupRun): Promise<Record<string, number | null>> {
  return Object.fromEntries((await status(sup)).jobs.map((j) => [j.name, j.pid]));
}

function alive(pid: number): boolean {
  try {
    return !Deno.readTextFileSync(`/proc/${pid}/stat`).includes(") Z ");
  } catch {
    return false;
  }
}

Deno.test("start, stop, restart and signal act on names, groups and all, and say what happened", async () => {
  await using sup = await startSupProcess(() => ({
    jobs: { web: sleeper(["front"]), api: sleeper(["front"]), worker: sleeper() },
  }));
  await until(async () => Object.values(await pids(sup)).every((p) => p !== null), "all running");
  const before = await pids(sup);

  const restart = await cliOf(sup, ["restart", "web"]);
  equal(restart.code, 0, restart.stderr);
  const [, oldPid, newPid] = restart.stdout.match(
    /^web: restarted \(pid (\d+) → (\d+)\) in \d+ ms$/m,
  )!;
  equal(Number(oldPid), before.web);
  // Returned as soon as the new process runs: it is alive now, the old one is gone.
  ok(alive(Number(newPid)), "the new process runs when restart returns");
  ok(!alive(Number(oldPid)), "the old process is gone");
  equal((await pids(sup)).web, Number(newPid));

  const stop = await cliOf(sup, ["stop", "group:front"]);
  equal(stop.code, 0, stop.stderr);
  match(stop.stdout, /^web: stopped \(was pid \d+\)$/m);
  match(stop.stdout, /^api: stopped \(was pid \d+\)$/m);
  const stopped = await status(sup);
  equal(stopped.jobs.find((j) => j.name === "api")?.state, "stopped");
  equal(stopped.jobs.find((j) => j.name === "worker")?.state, "running");

  const again = await cliOf(sup, ["stop", "api"]);
  equal(again.code, 0);
  match(again.stdout, /^api: already stopped$/m);

  const start = await cliOf(sup, ["start", "all"]);
  equal(start.code, 0, start.stderr);
  match(start.stdout, /^web: +started \(pid \d+\) in \d+ ms$/m);
  match(start.stdout, /^worker: +already running \(pid \d+\)$/m);

  const signal = await cliOf(sup, ["signal", "usr1", "worker"]);
  equal(signal.code, 0, signal.stderr);
  match(signal.stdout, /^worker: sent SIGUSR1 to its process group \d+$/m);
  await sup.waitForLog(["Sent SIGUSR1 to process group", "manual: sup signal"], "signal log");
  const none = await cliOf(sup, ["signal", "HUP", "api"]);
  equal(none.code, 0, "api runs again");
  await cliOf(sup, ["stop", "api"]);
  const notRunning = await cliOf(sup, ["signal", "HUP", "api"]);
  equal(notRunning.code, 1);
  match(notRunning.stdout, /^api: not running \(stopped\): nothing sent$/m);
});

Deno.test("an unknown job or group is refused with a did-you-mean, exit 1, and nothing done", async () => {
  await using sup = await startSupProcess(() => ({
    jobs: { web: sleeper(["front"]), worker: sleeper() },
  }));
  await until(async () => Object.values(await pids(sup)).every((p) => p !== null), "all running");
  const before = await pids(sup);
  const typo = await cliOf(sup, ["restart", "web", "wroker"]);
  equal(typo.code, 1);
  equal(typo.stdout, "");
  match(typo.stderr, /^sup: Unknown job "wroker" \(did you mean "worker"\?\); nothing was done$/m);
  const group = await cliOf(sup, ["stop", "group:fornt"]);
  equal(group.code, 1);
  match(group.stderr, /Unknown group "fornt" \(did you mean "group:front"\?\)/);
  const bare = await cliOf(sup, ["stop", "front"]);
  match(bare.stderr, /Unknown job "front" \(did you mean "group:front"\?\)/);
  const signal = await cliOf(sup, ["signal", "SIGFOO", "web"]);
  equal(signal.code, 1);
  match(signal.stderr, /"SIGFOO" is not a signal sup sends \(expected one of HUP, INT/);
  const usage = await cliOf(sup, ["restart"]);
  equal(usage.code, 2, "a missing argument is a usage error");
  const after = await pids(sup);
  equal(after.web, before.web);
  equal(after.worker, before.worker);
});

Deno.test("a job that cannot start is reported with why, exit 1", async () => {
  await using sup = await startSupProcess((_ports, dir) => {
    Deno.mkdirSync(`${dir}/www`);
    return {
      jobs: { web: sleeper(), broken: { cmd: "sleep 600", dir: `${dir}/www`, disabled: true } },
    };
  });
  await Deno.remove(`${sup.dir}/www`); // gone after sup checked the config
  const run = await cliOf(sup, ["start", "broken"]);
  equal(run.code, 1);
  match(run.stdout, /^broken: fatal: Cannot start job "broken"/m);
  match(run.stderr, /sup start: job "broken" did not start/);
});

Deno.test("rotate rotates the jobs' output files now", async () => {
  await using sup = await startSupProcess((_ports, dir) => ({
    jobs: {
      talker: {
        cmd: ["sh", "-c", "while true; do echo line; sleep 0.05; done"],
        stdout: { file: `${dir}/talker.log` },
      },
    },
  }));
  await until(async () => (await Deno.stat(`${sup.dir}/talker.log`)).size > 0, "output");
  const run = await cliOf(sup, ["rotate"]);
  equal(run.code, 0, run.stderr);
  match(run.stdout, /^Rotated:$/m);
  ok(run.stdout.includes(`${sup.dir}/talker.log`), run.stdout);
  await until(
    () => Deno.stat(`${sup.dir}/talker.log.1.gz`).then(() => true),
    "talker.log.1.gz",
    10_000,
  );
});

Deno.test("shutdown stops every job and sup, and returns when they are gone", async () => {
  const sup = await startSupProcess(() => ({ jobs: { a: sleeper(), b: sleeper() } }));
  try {
    await until(async () => Object.values(await pids(sup)).every((p) => p !== null), "running");
    const jobs = Object.values(await pids(sup)) as number[];
    const socket = (await status(sup)).sup.socket!;
    const run = await cliOf(sup, ["shutdown"]);
    equal(run.code, 0, run.stderr);
    match(
      run.stdout,
      new RegExp(`^Stopping sup ${sup.child.pid} \\(2 jobs running\\)\\.\\.\\.$`, "m"),
    );
    match(
      run.stdout,
      new RegExp(`^sup ${sup.child.pid} stopped: every job ended, in [\\d.]+ s$`, "m"),
    );
    // Returned after the end: nothing is left.
    const exit = await sup.child.status;
    equal(exit.code, 0);
    for (const pid of jobs) ok(!alive(pid), `job ${pid} is gone`);
    equal(await Deno.lstat(socket).then(() => "there", () => "gone"), "gone");
    await sup.waitForLog(["Stopping all jobs (sup shutdown)"], "the reason in sup's log");
    const after = await cliOf(sup, ["status"]);
    equal(after.code, 1);
    match(after.stderr, /No sup is running for you/);
  } finally {
    await sup.stop();
    await Deno.remove(sup.dir, { recursive: true });
  }
});

Deno.test("status -w without a terminal prints one report after another (NDJSON with --json) until SIGINT", async () => {
  await using sup = await startSupProcess(() => ({ jobs: { web: sleeper() } }));
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      new URL("../main.ts", import.meta.url).pathname,
      "status",
      "-w",
      "--json",
      "--interval",
      "100",
    ],
    env: { NO_COLOR: "1", ...envOf(sup) },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const reading = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      lines.push(...chunk.split("\n").filter((l) => l !== ""));
    }
  })();
  try {
    await until(() => lines.length >= 3, "three reports", 20_000);
  } finally {
    child.kill("SIGINT");
  }
  const status = await child.status;
  await reading;
  await child.stderr.cancel();
  equal(status.code, 0, "Ctrl-C ends the watch with 0");
  for (const line of lines) {
    const report = JSON.parse(line) as StatusReport;
    equal(report.jobs[0].name, "web");
  }
  ok(!lines.some((l) => l.includes("\x1b")), "no escape codes without a terminal");
});
