/**
 * `/metrics`' reading of `/proc` on real process groups: a group's
 * resident memory and CPU time, summed over its processes; libc's reads
 * and Deno's agree.
 */

import { equal, ok } from "node:assert/strict";
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
    // Field 24 of stat, as ps and Prometheus' process collector read it (statm, which adds up
    // the per-CPU counts, was ~90 pages higher for these sleeps on Linux 6.18).
    const each = members(pgid).map((pid) => {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[21]) * pageSize();
    });
    equal(each.length, 2);
    equal(usage.rssBytes, each[0] + each[1]);
    sampler.close();
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
    const [a, b, aIds, bIds]: number[][] = [[], [], [], []];
    libc.listPids(a, aIds);
    deno.listPids(b, bIds);
    for (const pid of [Deno.pid, child.pid]) ok(a.includes(pid) && b.includes(pid), `${pid}`);
    ok(a.every((pid) => Number.isInteger(pid) && pid > 0));
    ok(Math.abs(a.length - b.length) < 20, `${a.length} and ${b.length} processes`);
    const id = aIds[a.indexOf(child.pid)];
    ok(id > 0, "the inode of /proc/<pid>");
    equal(bIds[b.indexOf(child.pid)], id, "libc's getdents64 and Deno's stat agree");
    const [x, y] = [new Uint8Array(4096), new Uint8Array(4096)];
    const [h, g] = [libc.openStat(child.pid), deno.openStat(child.pid)];
    ok(h >= 0 && g >= 0);
    const n = libc.readFrom(h, x);
    ok(n > 0);
    const m = deno.readFrom(g, y);
    // Field 14 on (CPU times, RSS...) may move between two reads: the pid, name and group may not.
    const head = (bytes: Uint8Array, count: number) =>
      new TextDecoder().decode(bytes.subarray(0, count)).split(" ").slice(0, 5).join(" ");
    equal(head(x, n), head(y, m));
    equal(libc.readFrom(h, x), n, "read again from the start");
    equal(libc.openStat(999_999_999), -1, "no such process");
    equal(deno.openStat(999_999_999), -1, "no such process");
    child.kill("SIGKILL");
    await child.status;
    equal(libc.readFrom(h, x), 0, "a kept file reads nothing once its process ended");
    equal(deno.readFrom(g, y), 0, "a kept file reads nothing once its process ended");
    libc.release(h);
    deno.release(g);
  } finally {
    libc.close();
    deno.close();
    try {
      child.kill("SIGKILL");
    } catch {
      // ended above
    }
    await child.status;
  }
});
