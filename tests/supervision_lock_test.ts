/**
 * Whether another sup runs a config is decided by a kernel lock, not by a
 * pid: a sup killed with SIGKILL whose parent has not reaped it (a zombie,
 * still in /proc) does not block the next `sup run`, which ends the jobs it
 * left; a live sup still blocks a second one.
 */

import { equal, ok } from "node:assert/strict";
import { alive, until } from "./support/event_log.ts";
import { SupProcess } from "./support/sup_process.ts";
import { freeTcpPort, freeUdpPort } from "./support/ports.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** A parent that starts `argv` and never waits for it: once killed, the child stays a zombie. */
const NEGLECTFUL_PARENT = [
  "import subprocess, sys, time",
  "log = open(sys.argv[1], 'w')",
  "child = subprocess.Popen(sys.argv[2:], stdout=log, stderr=log, stdin=subprocess.DEVNULL)",
  "print(child.pid, flush=True)",
  "time.sleep(120)",
].join("\n");

function procState(pid: number): string | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return null;
  }
}

function pids(file: string): number[] {
  try {
    return Deno.readTextFileSync(file).trim().split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function killPid(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    // gone
  }
}

Deno.test("a zombie sup does not block the next sup run, which ends its orphaned job; a live sup still blocks", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-lock-test-" }));
  const config = `${dir}/sup.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      network: {
        http: { port: freeTcpPort() },
        websocket: { port: freeTcpPort() },
        osc: { port: await freeUdpPort(), appPort: 9 },
      },
      jobs: {
        worker: { cmd: ["/bin/sh", "-c", `echo $$ >> ${dir}/worker.pids; exec sleep 300`] },
      },
    }),
  );
  const env = { NO_COLOR: "1", SUP_STATE_DIR: dir };
  const parent = new Deno.Command("/usr/bin/python3", {
    args: [
      "-c",
      NEGLECTFUL_PARENT,
      `${dir}/first.log`,
      Deno.execPath(),
      "run",
      "-A",
      MAIN,
      "run",
      config,
    ],
    env,
    stdout: "piped",
    stdin: "null",
  }).spawn();
  let second: SupProcess | null = null;
  let third: SupProcess | null = null;
  let firstSup: number | undefined;
  try {
    const reader = parent.stdout.getReader();
    firstSup = Number(new TextDecoder().decode((await reader.read()).value).trim());
    reader.releaseLock();
    await until(
      () => pids(`${dir}/worker.pids`).length === 1,
      "the first sup starts its job",
      20_000,
    );
    await until(() => {
      const state = [...Deno.readDirSync(dir)].find((e) =>
        e.name.endsWith(".json") && e.name !== "sup.json"
      );
      return state !== undefined &&
        "worker" in JSON.parse(Deno.readTextFileSync(`${dir}/${state.name}`)).jobs;
    }, "the state file records the job");
    const orphan = pids(`${dir}/worker.pids`)[0];

    Deno.kill(firstSup, "SIGKILL");
    await until(() => procState(firstSup!) === "Z", "the killed sup to be a zombie");
    ok(alive(orphan), "its job runs on, unsupervised");

    second = new SupProcess(config, { SUP_STATE_DIR: dir });
    await second.waitFor(/Job "worker" was left running by a previous sup/, 20_000);
    await until(() => pids(`${dir}/worker.pids`).length === 2, "the job started again", 10_000);
    ok(!alive(orphan), "the orphaned copy is gone");
    equal(procState(firstSup), "Z", "the old sup is still a zombie: only the lock told them apart");

    third = new SupProcess(config, { SUP_STATE_DIR: dir });
    const status = await third.exit(20_000);
    equal(status.code, 1, third.lines.join("\n"));
    ok(
      third.lines.some((l) => l.includes(`Another sup (pid ${second!.pid}) is already running`)),
      third.lines.join("\n"),
    );
    ok(alive(pids(`${dir}/worker.pids`)[1]), "the live sup's job is untouched");
    second.kill("SIGTERM");
    equal((await second.exit()).code, 0);
  } finally {
    second?.kill("SIGKILL");
    await second?.exit();
    third?.kill("SIGKILL");
    await third?.exit();
    killPid(firstSup);
    parent.kill("SIGKILL");
    await parent.status;
    await parent.stdout.cancel().catch(() => {});
    for (const pid of pids(`${dir}/worker.pids`)) killPid(pid);
    await Deno.remove(dir, { recursive: true });
  }
});
