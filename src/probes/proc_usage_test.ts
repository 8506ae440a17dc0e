import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { type GroupUsage, readGroupUsage, UsageSampler } from "./proc_usage.ts";

Deno.test("CPU % is over the last two samples, else since the group's leader started; samples are reused for 1 s", () => {
  let now = 100_000;
  let reads = 0;
  let ticks = 50; // 0.5 s of CPU
  const sampler = new UsageSampler({
    now: () => now,
    read: (pgids) => {
      reads++;
      return new Map(
        [...pgids].map((p): [number, GroupUsage] => [p, { rssBytes: 4096, cpuTicks: ticks }]),
      );
    },
  });
  const groups = new Map([[7, 90_000]]); // started 10 s ago
  deepStrictEqual(sampler.usage(groups).get(7), { rssBytes: 4096, cpuPercent: 5 });
  now += 500;
  sampler.usage(groups);
  equal(reads, 1, "reused within a second");
  now += 1_500;
  ticks += 100; // one more second of CPU in 2 s
  deepStrictEqual(sampler.usage(groups).get(7), { rssBytes: 4096, cpuPercent: 50 });
  equal(reads, 2);
  deepStrictEqual(sampler.usage(new Map([[8, now]])).size, 1, "a new group is read at once");
  equal(reads, 3);
});

Deno.test("readGroupUsage sums a real process group's memory", async () => {
  const child = new Deno.Command("setsid", {
    args: ["sleep", "30"],
    stdout: "null",
    stderr: "null",
  })
    .spawn();
  try {
    let usage: GroupUsage | undefined;
    for (let i = 0; i < 100 && !usage; i++) {
      usage = readGroupUsage(new Set([child.pid])).get(child.pid);
      if (!usage) await new Promise((r) => setTimeout(r, 10));
    }
    ok(usage && usage.rssBytes > 100_000, `RSS of sleep: ${usage?.rssBytes}`);
    equal(readGroupUsage(new Set()).size, 0);
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
});
