import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { parseStatmResident, procPageSize, readRss } from "./proc_memory.ts";
import { until } from "../testing/wait.ts";

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

Deno.test("readRss of this process alone is about its VmRSS; a missing process is absent", () => {
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(Deno.readTextFileSync("/proc/self/status"))![1]);
  const totals = readRss([{ pid: Deno.pid, cumulative: false }, {
    pid: 0x7ffffff0,
    cumulative: false,
  }]);
  const rss = totals.get(Deno.pid)!;
  ok(Math.abs(rss - kb * 1024) <= kb * 1024 * 0.1, `RSS ${rss} vs VmRSS ${kb} kB`);
  equal(totals.has(0x7ffffff0), false);
  deepStrictEqual(readRss([]), new Map());
});

Deno.test("readRss cumulative counts a child that left the group; alone counts only the process", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-rss-" });
  // The shell leads its own group; its child python moves to a session of its own
  // (setsid) and holds 48 MB: only the tree (not the group) still finds it.
  const script =
    `setsid python3 -c 'import time; b = b"x" * (48 << 20); open("${dir}/ready", "w").close(); time.sleep(60)' & wait`;
  const shell = new Deno.Command("sh", { args: ["-c", script], detached: true }).spawn();
  try {
    await until(() => exists(`${dir}/ready`), "the child to hold its memory", 10_000);
    const both = [{ pid: shell.pid, cumulative: true }];
    const tree = readRss(both).get(shell.pid)!;
    const alone = readRss([{ pid: shell.pid, cumulative: false }]).get(shell.pid)!;
    ok(tree > 48 * 1024 * 1024, `tree RSS ${tree}`);
    ok(alone < 16 * 1024 * 1024, `shell alone ${alone}`);
  } finally {
    Deno.kill(-shell.pid, "SIGKILL");
    await shell.status;
    await Deno.remove(dir, { recursive: true });
  }
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
