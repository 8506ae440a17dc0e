import { deepStrictEqual, equal } from "node:assert/strict";
import { pageSize, parseOwnTicks, ProcSampler } from "./proc_sampler.ts";

/** A stat line: `fields[n]` holds field n from 4 on (state is "S"). */
function statLine(
  pid: number,
  comm: string,
  pgrp: number,
  ticks: [number, number, number, number],
  pages = 0,
) {
  const fields = Array.from({ length: 52 }, (_, n) => String(n));
  fields[4] = "1"; // ppid
  fields[5] = String(pgrp);
  fields[8] = "-1"; // tpgid: no terminal
  [fields[14], fields[15], fields[16], fields[17]] = ticks.map(String);
  fields[18] = "-20"; // priority may be negative
  fields[24] = String(pages);
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
    "100/stat": statLine(100, "my (odd) job", 100, [10, 20, 3, 4], 250),
    "101/stat": statLine(101, "child", 100, [100, 0, 0, 0], 50),
    "200/stat": statLine(200, "other", 200, [1, 1, 1, 1], 9),
    "300/stat": "garbage",
    "400/statm": "1 1\n", // ended: no stat
  });
  const sampler = new ProcSampler({ proc, maxAgeMs: 0 });
  try {
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
    equal(
      again.get(200)!.rssBytes,
      9 * pageSize(),
      "a process first passed over is read once asked for",
    );
    equal((await sampler.usage(new Set([200]))).has(100), false);
    equal((await sampler.usage(new Set())).size, 0);
  } finally {
    sampler.close();
    await Deno.remove(proc, { recursive: true });
  }
});

Deno.test("a pass reads members through the files it kept open, and skips processes outside the groups", async () => {
  const proc = await fakeProc({
    "100/stat": statLine(100, "job", 100, [1, 0, 0, 0], 5),
    "101/stat": statLine(101, "child", 100, [1, 0, 0, 0], 6),
    "200/stat": statLine(200, "not a job", 200, [1, 0, 0, 0], 7),
  });
  const sampler = new ProcSampler({ proc, maxAgeMs: 0 });
  try {
    equal((await sampler.usage(new Set([100]))).get(100)!.rssBytes, 11 * pageSize());
    deepStrictEqual(sampler.counts(), { passes: 1, opened: 3, reread: 0, handles: 2 });
    await Deno.writeTextFile(`${proc}/101/stat`, statLine(101, "child", 100, [1, 0, 0, 0], 60));
    equal((await sampler.usage(new Set([100]))).get(100)!.rssBytes, 65 * pageSize());
    deepStrictEqual(
      sampler.counts(),
      { passes: 2, opened: 3, reread: 2, handles: 2 },
      "no file opened again; 200 not read",
    );
    // A member that leaves the group is let go; a pid given to a new process is read anew.
    await Deno.writeTextFile(`${proc}/101/stat`, statLine(101, "child", 101, [1, 0, 0, 0], 60));
    await Deno.mkdir(`${proc}/new`);
    await Deno.writeTextFile(`${proc}/new/stat`, statLine(200, "new", 100, [1, 0, 0, 0], 8));
    await Deno.remove(`${proc}/200`, { recursive: true });
    await Deno.rename(`${proc}/new`, `${proc}/200`);
    equal((await sampler.usage(new Set([100]))).get(100)!.rssBytes, 13 * pageSize());
    deepStrictEqual(sampler.counts(), { passes: 3, opened: 4, reread: 4, handles: 2 });
    // A process gone from the listing is forgotten and its file closed.
    await Deno.remove(`${proc}/200`, { recursive: true });
    equal((await sampler.usage(new Set([100]))).get(100)!.rssBytes, 5 * pageSize());
    equal(sampler.counts().handles, 1);
    sampler.releaseHandles();
    equal(sampler.counts().handles, 0);
    equal((await sampler.usage(new Set([100]))).get(100)!.rssBytes, 5 * pageSize(), "opened again");
  } finally {
    sampler.close();
    await Deno.remove(proc, { recursive: true });
  }
});

Deno.test("at most maxHandles files stay open", async () => {
  const proc = await fakeProc({
    "100/stat": statLine(100, "a", 100, [1, 0, 0, 0], 1),
    "101/stat": statLine(101, "b", 100, [1, 0, 0, 0], 2),
    "102/stat": statLine(102, "c", 100, [1, 0, 0, 0], 4),
  });
  const sampler = new ProcSampler({ proc, maxAgeMs: 0, maxHandles: 1 });
  try {
    for (let pass = 0; pass < 2; pass++) {
      equal((await sampler.usage(new Set([100]))).get(100)!.rssBytes, 7 * pageSize());
      equal(sampler.counts().handles, 1);
    }
  } finally {
    sampler.close();
    await Deno.remove(proc, { recursive: true });
  }
});

Deno.test("a pass is reused within maxAgeMs for the groups it read, and shared by concurrent callers", async () => {
  const proc = await fakeProc({
    "100/stat": statLine(100, "a", 100, [1, 0, 0, 0], 1),
    "200/stat": statLine(200, "b", 200, [1, 0, 0, 0], 2),
  });
  const sampler = new ProcSampler({ proc, maxAgeMs: 60_000 });
  try {
    const [a, b] = await Promise.all([
      sampler.usage(new Set([100])),
      sampler.usage(new Set([100, 200])),
    ]);
    equal(a, b, "one pass for both");
    await Deno.writeTextFile(`${proc}/100/stat`, statLine(100, "a", 100, [1, 0, 0, 0], 7));
    equal((await sampler.usage(new Set([100]))).get(100)!.rssBytes, pageSize(), "reused");
    // A group the last pass did not look for makes a new pass.
    const fresh = await sampler.usage(new Set([100, 200]));
    equal(fresh.get(100)!.rssBytes, 7 * pageSize());
    equal(fresh.get(200)!.rssBytes, 2 * pageSize());
  } finally {
    sampler.close();
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
