/** `memmon` with the real supervisor and real processes: a job whose child grows past `maxMemory` is restarted, one under it is not. */

import { equal, notEqual, ok } from "node:assert/strict";
import { MemmonProbe } from "../src/probes/memmon.ts";
import { resolvedConfig, resolvedJob } from "../src/testing/resolved_job.ts";
import { withSupervisor } from "./support/with_supervisor.ts";

const MB = 1024 * 1024;

// The shell (the group leader) stays small; its child python holds 64 MB of
// written (so resident) memory: only the group's sum passes 32 MB.
const HOG = `python3 -c 'import time; b = b"x" * (64 << 20); time.sleep(60)' & wait`;

Deno.test("memmon restarts a job whose process group passes maxMemory, and not one under it", async () => {
  const jobs = [
    resolvedJob("hog", ["sh", "-c", HOG], { maxMemoryBytes: 32 * MB }),
    resolvedJob("calm", ["sleep", "60"], { maxMemoryBytes: 32 * MB }),
  ];
  await withSupervisor(jobs, async (sup, log) => {
    const probe = new MemmonProbe(sup, { intervalMs: 200 });
    try {
      probe.apply(resolvedConfig(jobs));
      const memmon = (e: { job: string; reason: { source: string } }) =>
        e.job === "hog" && e.reason.source === "memmon";
      const first = await log.wait("job.action", memmon, { timeoutMs: 15_000 });
      equal(first.action, "restart");
      const detail = /^memory (\d+) MB passed maxMemory 32 MB$/.exec(first.reason.detail ?? "");
      ok(detail !== null && Number(detail[1]) > 32, `reason: ${first.reason.detail}`);
      // The new process grows again and is restarted again: once per spawn.
      const second = await log.wait("job.action", memmon, { count: 2, timeoutMs: 15_000 });
      const spawns = log.all("job.spawned", (e) => e.job === "hog" && e.at <= second.at);
      equal(spawns.length, 2, "one memmon restart per spawn");
      notEqual(spawns[0].pid, spawns[1].pid);
      // calm was sampled on every tick meanwhile, and never touched.
      equal(log.all("job.action", (e) => e.job === "calm" && e.action === "restart").length, 0);
      ok(probe.watched().includes("calm"), "calm is still checked");
      equal(log.all("job.spawned", (e) => e.job === "calm").length, 1);
      equal(sup.jobStatus("calm")?.state, "running");
    } finally {
      probe.close();
    }
  });
});
