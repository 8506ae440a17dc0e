import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { parseStatmResident, parseStatPgrp, procPageSize, readGroupRss } from "./proc_memory.ts";

Deno.test("parseStatPgrp reads field 5 after the last parenthesis of the command name", () => {
  const table: [string, number | null][] = [
    ["1234 (node) S 1 1234 1234 0 -1 4194560 100 0", 1234],
    ["77 (a) (b c)) R 5 70 70 0 -1", 70],
    ["88 (weird ) name) S 1 9 9 0", 9],
    ["99 ( ) S 1 42 42", 42],
    ["garbage", null],
    ["12 (x) S 1", null],
    ["2 (kthreadd) S 0 0 0 0 -1", null],
  ];
  deepStrictEqual(table.map(([line]) => parseStatPgrp(line)), table.map(([, want]) => want));
});

Deno.test("parseStatmResident reads the resident pages (field 2)", () => {
  equal(parseStatmResident("65920 12345 2300 400 0 15000 0\n"), 12345);
  equal(parseStatmResident("0 0 0 0 0 0 0"), 0);
  equal(parseStatmResident(""), null);
  equal(parseStatmResident("12 x"), null);
});

Deno.test("procPageSize is a power of two of at least 4 KB", () => {
  const size = procPageSize();
  ok(size >= 4096 && Number.isInteger(Math.log2(size)), `page size ${size}`);
});

Deno.test("readGroupRss counts at least this test's own resident memory in its group", () => {
  const self = Deno.readTextFileSync("/proc/self/stat");
  const pgrp = parseStatPgrp(self)!;
  ok(pgrp > 0);
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(Deno.readTextFileSync("/proc/self/status"))![1]);
  const rss = readGroupRss(new Set([pgrp])).get(pgrp);
  ok(rss !== undefined, "own group is found");
  // Our RSS may move a little between the two reads; 10% slack.
  ok(rss >= kb * 1024 * 0.9, `group RSS ${rss} vs own VmRSS ${kb} kB`);
});

Deno.test("readGroupRss sums a detached child's own group and omits groups with no process", async () => {
  const child = new Deno.Command("sleep", { args: ["30"], detached: true, stdout: "null" }).spawn();
  try {
    // Until `sleep` has replaced the forked copy of this process, its RSS is ours.
    const deadline = Date.now() + 5_000;
    while (Deno.readTextFileSync(`/proc/${child.pid}/comm`).trim() !== "sleep") {
      ok(Date.now() < deadline, "child did not exec sleep within 5s");
      await new Promise((r) => setTimeout(r, 5));
    }
    const totals = readGroupRss(new Set([child.pid, 0x7ffffff0]));
    const pages = parseStatmResident(Deno.readTextFileSync(`/proc/${child.pid}/statm`))!;
    const rss = totals.get(child.pid);
    ok(rss !== undefined && rss > 0, `child group RSS ${rss}`);
    ok(Math.abs(rss - pages * procPageSize()) <= 64 * 1024, `${rss} vs ${pages} pages`);
    equal(totals.has(0x7ffffff0), false);
    deepStrictEqual(readGroupRss(new Set()), new Map());
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
});
