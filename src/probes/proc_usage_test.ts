import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { type GroupTotals, UsageSampler } from "./proc_usage.ts";
import { until } from "../testing/wait.ts";

Deno.test("CPU % is over the last two samples, else since the group's leader started; samples are reused for 2 s", async () => {
  let now = 100_000;
  let reads = 0;
  let seconds = 0.5;
  const sampler = new UsageSampler({
    now: () => now,
    refreshMs: 0,
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
  equal(reads, 1, "reused within 2 s");
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
    const sampler = new UsageSampler({ maxAgeMs: 0, refreshMs: 0 });
    let rss: number | undefined;
    for (let i = 0; i < 100 && !rss; i++) {
      rss = (await sampler.usage(new Map([[child.pid, Date.now()]]))).get(child.pid)?.rssBytes;
      if (!rss) await new Promise((r) => setTimeout(r, 10));
    }
    ok(rss && rss > 100_000, `RSS of sleep: ${rss}`);
    equal((await sampler.usage(new Map())).size, 0);
    sampler.close();
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
});

Deno.test("after a request, samples go on in the background until nobody asks; then the reader may close its files", async () => {
  const read: number[][] = [];
  let idle = 0;
  const sampler = new UsageSampler({
    refreshMs: 10,
    keepWarmMs: 150,
    read: (pgids) => {
      read.push([...pgids]);
      return Promise.resolve(
        new Map([...pgids].filter((p) => p !== 9).map((p) => [p, { rssBytes: p, cpuSeconds: 0 }])),
      );
    },
    onIdle: () => idle++,
  });
  try {
    await sampler.usage(new Map([[7, Date.now()], [9, Date.now()]]));
    deepStrictEqual(read, [[7, 9]]);
    await until(() => read.length >= 3, "background samples");
    deepStrictEqual(read[2], [7], "a group with no live process is no longer read");
    // A request while warm is answered from the last sample, and a new group joins the samples.
    const before = read.length;
    deepStrictEqual((await sampler.usage(new Map([[7, Date.now()]]))).get(7)?.rssBytes, 7);
    equal(read.length, before, "answered without a read");
    await sampler.usage(new Map([[8, Date.now()]]));
    await until(() => read.at(-1)?.length === 2, "both groups sampled");
    await until(() => idle === 1, "samples to stop", 5_000);
    const stopped = read.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    equal(read.length, stopped, "no sample once idle");
  } finally {
    sampler.close();
  }
});
