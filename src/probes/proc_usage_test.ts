import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { type GroupTotals, UsageSampler } from "./proc_usage.ts";

Deno.test("CPU % is over the last two samples, else since the group's leader started; samples are reused for 1 s", async () => {
  let now = 100_000;
  let reads = 0;
  let seconds = 0.5;
  const sampler = new UsageSampler({
    now: () => now,
    read: (pgids) => {
      reads++;
      return Promise.resolve(
        new Map(
          [...pgids].map((
            p,
          ): [number, GroupTotals] => [p, { rssBytes: 4096, cpuSeconds: seconds }]),
        ),
      );
    },
  });
  const groups = new Map([[7, 90_000]]); // started 10 s ago
  deepStrictEqual((await sampler.usage(groups)).get(7), { rssBytes: 4096, cpuPercent: 5 });
  now += 500;
  await sampler.usage(groups);
  equal(reads, 1, "reused within a second");
  now += 1_500;
  seconds += 1; // one more second of CPU in 2 s
  deepStrictEqual((await sampler.usage(groups)).get(7), { rssBytes: 4096, cpuPercent: 50 });
  equal(reads, 2);
  equal((await sampler.usage(new Map([[8, now]]))).size, 1, "a new group is read at once");
  equal(reads, 3);
});

Deno.test("the sampler reads a real process group's memory from /proc", async () => {
  const child = new Deno.Command("setsid", {
    args: ["sleep", "30"],
    stdout: "null",
    stderr: "null",
  })
    .spawn();
  try {
    const sampler = new UsageSampler({ maxAgeMs: 0 });
    let rss: number | undefined;
    for (let i = 0; i < 100 && !rss; i++) {
      rss = (await sampler.usage(new Map([[child.pid, Date.now()]]))).get(child.pid)?.rssBytes;
      if (!rss) await new Promise((r) => setTimeout(r, 10));
    }
    ok(rss && rss > 100_000, `RSS of sleep: ${rss}`);
    equal((await sampler.usage(new Map())).size, 0);
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
});
