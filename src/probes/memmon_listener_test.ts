import { deepStrictEqual, equal } from "node:assert/strict";
import type { ResolvedMemmon } from "../config/listener_memmon.ts";
import { selectJobs } from "../config/selector.ts";
import type { JobStatus } from "../core/api.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { jobStatus } from "../testing/recording_api.ts";
import type { RssTarget } from "./proc_memory.ts";
import { Memmon, type MemmonContext } from "./memmon_listener.ts";

const MB = 1024 * 1024;

function setup(options: Partial<ResolvedMemmon> = {}) {
  const clock = new FakeClock(10_000_000);
  const jobs = [
    { name: "web", groups: ["front"] },
    { name: "api", groups: ["front", "back"] },
    { name: "worker", groups: ["back"] },
    { name: "db", groups: [] },
  ];
  const statuses: JobStatus[] = jobs.map((j, i) =>
    jobStatus(j.name, { state: "running", pid: 100 + i, startedAt: clock.now() - 60_000 })
  );
  const rss = new Map<number, number>();
  const reads: RssTarget[][] = [];
  const restarts: [string, string | undefined][] = [];
  const notes: string[] = [];
  const ctx: MemmonContext = {
    name: "memmon",
    restart: (job, detail) => void restarts.push([job, detail]),
    status: () => statuses,
    jobs: (selectors) => selectJobs(selectors, jobs),
    notify: (subject) => {
      notes.push(subject);
      return Promise.resolve([]);
    },
    log: { info: () => {}, warn: () => {} },
  };
  const memmon = new Memmon(
    {
      limits: [{ selector: "*", bytes: 1000 * MB }],
      cumulative: false,
      intervalMs: 1000,
      notify: true,
      uptimeLimitMs: null,
      ...options,
    },
    ctx,
    {
      clock,
      readRss: (targets) => {
        reads.push([...targets]);
        return new Map(targets.flatMap((t) => rss.has(t.pid) ? [[t.pid, rss.get(t.pid)!]] : []));
      },
    },
  );
  return { clock, statuses, rss, reads, restarts, notes, memmon };
}

Deno.test("a job's own name beats its groups, a group beats *, and of two groups the smaller wins", () => {
  const { memmon } = setup({
    limits: [
      { selector: "*", bytes: 900 * MB },
      { selector: "group:front", bytes: 300 * MB },
      { selector: "group:back", bytes: 200 * MB },
      { selector: "web", bytes: 500 * MB },
    ],
  });
  const limits = memmon.limits();
  deepStrictEqual(
    [...limits].map(([job, l]) => [job, l.bytes / MB, l.selector]),
    [["web", 500, "web"], ["api", 200, "group:back"], ["worker", 200, "group:back"], [
      "db",
      900,
      "*",
    ]],
  );
});

Deno.test("every interval, running jobs over their limit are restarted once per process", () => {
  const t = setup({ limits: [{ selector: "group:back", bytes: 200 * MB }] });
  t.rss.set(101, 250 * MB); // api
  t.rss.set(102, 150 * MB); // worker
  t.rss.set(100, 5000 * MB); // web: no limit
  t.memmon.start();
  t.clock.advance(999);
  equal(t.restarts.length, 0);
  t.clock.advance(1);
  deepStrictEqual(t.restarts, [["api", 'memory 250 MB passed 200 MB (limit of "group:back")']]);
  deepStrictEqual(t.reads[0].map((r) => [r.pid, r.cumulative]), [[101, false], [102, false]]);
  t.clock.advance(3000);
  equal(t.restarts.length, 1, "the same process is not restarted again");
  t.statuses[1] = jobStatus("api", { state: "running", pid: 201, startedAt: t.clock.now() });
  t.rss.set(201, 201 * MB);
  t.clock.advance(1000);
  equal(t.restarts.length, 2, "its next process is checked again");
  deepStrictEqual(t.notes, ['memmon: job "api" restarted', 'memmon: job "api" restarted']);
  t.memmon.close();
  equal(t.clock.pending, 0);
});

Deno.test("cumulative reads the process tree; uptimeLimit notifies only young runs", () => {
  const t = setup({ cumulative: true, uptimeLimitMs: 30_000 });
  t.rss.set(100, 2000 * MB);
  t.statuses[3] = jobStatus("db", { state: "running", pid: 103, startedAt: t.clock.now() - 5_000 });
  t.rss.set(103, 2000 * MB);
  const restarts = t.memmon.check();
  equal(t.reads[0].every((r) => r.cumulative), true);
  deepStrictEqual(restarts.map((r) => [r.job, r.notified]), [["web", false], ["db", true]]);
  deepStrictEqual(t.notes, ['memmon: job "db" restarted']);
  equal(t.restarts[0][1], 'memory of its process tree 2 GB passed 1000 MB (limit of "*")');
});

Deno.test("jobs that are not running are not read", () => {
  const t = setup();
  t.statuses[0] = jobStatus("web", { state: "stopped" });
  t.statuses[1] = jobStatus("api", { state: "backoff" });
  t.memmon.check();
  deepStrictEqual(t.reads[0].map((r) => r.pid), [102, 103]);
});
