/**
 * `/metrics`' reading of `/proc` on real process groups: a group's
 * resident memory and CPU time, summed over its processes; libc's reads
 * and Deno's agree.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { pageSize, ProcSampler } from "../src/core/proc_sampler.ts";
import { DenoProcFiles, openProcFiles } from "../src/core/proc_files.ts";
import { until } from "../src/testing/wait.ts";

/** The pids of process group `pgid`, from `/proc/<pid>/stat` field 5. */
function members(pgid: number): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === pgid) {
        pids.push(Number(entry.name));
      }
    } catch {
      // not a process, or gone
    }
  }
  return pids;
}

Deno.test("a process group's memory and CPU time are summed over its processes", async () => {
  // setsid makes the shell lead a new group (pgid = its pid); it burns CPU, then two sleeps remain.
  const script = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; sleep 30 & exec sleep 30";
  const child = new Deno.Command("setsid", { args: ["sh", "-c", script], stdin: "null" }).spawn();
  const pgid = child.pid;
  try {
    await until(() => members(pgid).length === 2, "the loop to end and two sleeps to run", 30_000);
    const sampler = new ProcSampler({ maxAgeMs: 0 });
    const usage = (await sampler.usage(new Set([pgid]))).get(pgid)!;
    // The shell exec'd into one sleep: its CPU time stays with that process.
    ok(usage.cpuSeconds >= 0.1, `cpu ${usage.cpuSeconds}`);
    const each = members(pgid).map((pid) =>
      Number(Deno.readTextFileSync(`/proc/${pid}/statm`).split(" ")[1]) * pageSize()
    );
    equal(each.length, 2);
    equal(usage.rssBytes, each[0] + each[1]);
    equal((await sampler.usage(new Set([999_999_999]))).size, 0, "no such group: absent");
  } finally {
    Deno.kill(-pgid, "SIGKILL");
    await child.status;
  }
});

Deno.test("libc and Deno's calls read /proc alike: the same pids, the same bytes", async () => {
  const child = new Deno.Command("sleep", { args: ["30"], stdin: "null" }).spawn();
  const libc = openProcFiles();
  const deno = new DenoProcFiles();
  try {
    ok(!(libc instanceof DenoProcFiles), "tests run with -A: libc is used");
    await until(
      () => Deno.readTextFileSync(`/proc/${child.pid}/comm`) === "sleep\n",
      "the child to have exec'd sleep",
    );
    const [a, b]: number[][] = [[], []];
    libc.listPids(a);
    deno.listPids(b);
    for (const pid of [Deno.pid, child.pid]) ok(a.includes(pid) && b.includes(pid), `${pid}`);
    ok(a.every((pid) => Number.isInteger(pid) && pid > 0));
    ok(Math.abs(a.length - b.length) < 20, `${a.length} and ${b.length} processes`);
    const [x, y] = [new Uint8Array(4096), new Uint8Array(4096)];
    for (const file of ["stat", "statm"] as const) {
      const n = libc.read(child.pid, file, x);
      ok(n > 0, file);
      deepStrictEqual(x.subarray(0, n), y.subarray(0, deno.read(child.pid, file, y)), file);
    }
    equal(libc.read(999_999_999, "stat", x), 0, "no such process");
    equal(deno.read(999_999_999, "stat", y), 0, "no such process");
  } finally {
    libc.close();
    deno.close();
    child.kill("SIGKILL");
    await child.status;
  }
});
