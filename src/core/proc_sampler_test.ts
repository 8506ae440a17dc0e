import { deepStrictEqual, equal } from "node:assert/strict";
import { pageSize, parseOwnTicks, ProcSampler } from "./proc_sampler.ts";

/** A stat line: `fields[n]` holds field n from 4 on (state is "S"). */
function statLine(
  pid: number,
  comm: string,
  pgrp: number,
  ticks: [number, number, number, number],
) {
  const fields = Array.from({ length: 52 }, (_, n) => String(n));
  fields[4] = "1"; // ppid
  fields[5] = String(pgrp);
  fields[8] = "-1"; // tpgid: no terminal
  [fields[14], fields[15], fields[16], fields[17]] = ticks.map(String);
  fields[18] = "-20"; // priority may be negative
  return `${pid} (${comm}) S ${fields.slice(4).join(" ")}\n`;
}

async function fakeProc(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "sup-proc-" });
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(`${dir}/${path.split("/")[0]}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${path}`, text);
  }
  await Deno.mkdir(`${dir}/self`); // not a pid: skipped
  return dir;
}

Deno.test("a group's pages and ticks are summed over its processes, fields counted after the last parenthesis", async () => {
  const proc = await fakeProc({
    "100/stat": statLine(100, "my (odd) job", 100, [10, 20, 3, 4]),
    "100/statm": "1000 250 30 4 0 90 0\n",
    "101/stat": statLine(101, "child", 100, [100, 0, 0, 0]),
    "101/statm": "500 50 10 1 0 20 0\n",
    "200/stat": statLine(200, "other", 200, [1, 1, 1, 1]),
    "200/statm": "9 9 9 9 9 9 9\n",
    "300/stat": "garbage",
    "300/statm": "1 1\n",
    "400/statm": "1 1\n", // ended: no stat
  });
  try {
    const sampler = new ProcSampler({ proc, maxAgeMs: 0 });
    const usage = await sampler.usage(new Set([100, 999]));
    deepStrictEqual([...usage.keys()], [100], "groups with no process are absent");
    deepStrictEqual(usage.get(100), {
      rssBytes: 300 * pageSize(),
      cpuSeconds: (10 + 20 + 3 + 4 + 100) / 100,
      pass: 1,
    });
    // A later pass starts from zero and forgets groups no longer asked for.
    await Deno.remove(`${proc}/101`, { recursive: true });
    const again = await sampler.usage(new Set([100, 200]));
    deepStrictEqual([...again.keys()].sort(), [100, 200]);
    equal(again.get(100)!.rssBytes, 250 * pageSize());
    equal((await sampler.usage(new Set([200]))).has(100), false);
    equal((await sampler.usage(new Set())).size, 0);
  } finally {
    await Deno.remove(proc, { recursive: true });
  }
});

Deno.test("a pass is reused within maxAgeMs for the groups it read, and shared by concurrent callers", async () => {
  const proc = await fakeProc({
    "100/stat": statLine(100, "a", 100, [1, 0, 0, 0]),
    "100/statm": "1 1\n",
    "200/stat": statLine(200, "b", 200, [1, 0, 0, 0]),
    "200/statm": "1 2\n",
  });
  try {
    const sampler = new ProcSampler({ proc, maxAgeMs: 60_000 });
    const [a, b] = await Promise.all([
      sampler.usage(new Set([100])),
      sampler.usage(new Set([100, 200])),
    ]);
    equal(a, b, "one pass for both");
    await Deno.writeTextFile(`${proc}/100/statm`, "1 7\n");
    equal((await sampler.usage(new Set([100]))).get(100)!.rssBytes, pageSize(), "reused");
    // A group the last pass did not look for makes a new pass.
    const fresh = await sampler.usage(new Set([100, 200]));
    equal(fresh.get(100)!.rssBytes, 7 * pageSize());
    equal(fresh.get(200)!.rssBytes, 2 * pageSize());
  } finally {
    await Deno.remove(proc, { recursive: true });
  }
});

Deno.test("no /proc: no figures", async () => {
  const sampler = new ProcSampler({ proc: "/nonexistent-proc" });
  equal((await sampler.usage(new Set([1]))).size, 0);
});

Deno.test("sup's own ticks are utime + stime (fields 14 and 15)", () => {
  equal(parseOwnTicks(statLine(7, "deno (main)", 7, [12, 30, 500, 600])), 42);
  equal(parseOwnTicks("garbage"), null);
});
