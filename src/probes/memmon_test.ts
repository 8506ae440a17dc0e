import { deepStrictEqual, equal } from "node:assert/strict";
import type { ResolvedConfig } from "../config/resolved.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { RecordingApi } from "../testing/recording_api.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { MemmonProbe, readableSize } from "./memmon.ts";

const MB = 1024 * 1024;

const config = (webLimit: number | null = 256 * MB) =>
  resolvedConfig([
    resolvedJob("web", ["sleep", "100"], { maxMemoryBytes: webLimit }),
    resolvedJob("db", ["sleep", "100"]),
  ]);

function setup(initial: ResolvedConfig = config()) {
  const clock = new FakeClock();
  const api = new RecordingApi(initial, clock);
  /** RSS per pgid, as the test sets it; absent: no process. */
  const rss = new Map<number, number>();
  const reads: number[] = [];
  const probe = new MemmonProbe(api, {
    intervalMs: 1000,
    clock,
    readRss: (pgid) => {
      reads.push(pgid);
      return rss.get(pgid) ?? null;
    },
  });
  probe.apply(initial);
  const spawned = (job: string, pid: number) => api.spawned(job, pid);
  const exited = (job: string, pid: number) => api.exited(job, pid);
  const stopping = (job: string, pid: number) => api.stopping(job, pid);
  const restarts = () => api.actions.filter((a) => a.method === "restart");
  return { clock, api, probe, rss, reads, spawned, exited, stopping, restarts };
}

Deno.test("a job passing maxMemory is restarted once, with the sizes in the reason", () => {
  const { clock, probe, rss, spawned, restarts } = setup();
  spawned("web", 100);
  rss.set(100, 312 * MB);
  clock.advance(999);
  deepStrictEqual(restarts(), []);
  clock.advance(1);
  deepStrictEqual(restarts(), [{
    method: "restart",
    job: "web",
    reason: { source: "memmon", detail: "memory 312 MB passed maxMemory 256 MB" },
  }]);
  clock.advance(10_000); // the process is still over: not restarted again
  equal(restarts().length, 1);
  equal(probe.sampling, false, "nothing left to check until a new spawn");
  probe.close();
});

Deno.test("a new spawn of a job is checked again after a memmon restart", () => {
  const { clock, probe, rss, spawned, exited, restarts } = setup();
  spawned("web", 100);
  rss.set(100, 300 * MB);
  clock.advance(1000);
  exited("web", 100);
  spawned("web", 200);
  rss.set(200, 100 * MB);
  clock.advance(5000);
  equal(restarts().length, 1);
  rss.set(200, 257 * MB);
  clock.advance(1000);
  equal(restarts().length, 2);
  probe.close();
});

Deno.test("a job under or at its limit is not restarted, and is sampled every interval", () => {
  const { clock, probe, rss, reads, spawned, restarts } = setup();
  spawned("web", 100);
  spawned("db", 101); // no limit: never read
  rss.set(100, 256 * MB);
  rss.set(101, 10_000 * MB);
  clock.advance(5000);
  deepStrictEqual(restarts(), []);
  deepStrictEqual(reads, [100, 100, 100, 100, 100]);
  probe.close();
});

Deno.test("no timer runs while no running job has maxMemory", () => {
  const { clock, probe, spawned, exited, stopping } = setup(config(null));
  spawned("web", 100);
  spawned("db", 101);
  equal(clock.pending, 0);
  exited("web", 100);
  probe.apply(config(256 * MB)); // web gains a limit, but it has no run
  equal(clock.pending, 0);
  spawned("web", 102);
  equal(clock.pending, 1, "one timer for the probe");
  exited("web", 102);
  equal(clock.pending, 0, "cleared when the last watched process exits");
  spawned("web", 103);
  stopping("web", 103);
  equal(clock.pending, 0, "cleared when the job is being stopped");
  probe.close();
});

Deno.test("a job removed from the config (or its limit) is no longer checked", () => {
  const { clock, api, probe, rss, reads, spawned, exited, restarts } = setup();
  spawned("web", 100);
  rss.set(100, 100 * MB);
  clock.advance(1000);
  equal(reads.length, 1);
  const without = resolvedConfig([resolvedJob("db", ["sleep", "100"])]);
  api.setConfig(without);
  probe.apply(without);
  equal(clock.pending, 0);
  rss.set(100, 900 * MB);
  clock.advance(10_000);
  equal(reads.length, 1);
  deepStrictEqual(restarts(), []);
  exited("web", 100);
  spawned("web", 101); // a late spawn of a job without a limit
  equal(clock.pending, 0);
  probe.close();
});

Deno.test("apply watches a job that is already running", () => {
  const { clock, api, probe, rss, restarts } = setup(config(null));
  api.spawned("web", 300);
  rss.set(300, 2 * 1024 * MB);
  probe.apply(config(1536 * MB));
  deepStrictEqual(probe.watched(), ["web"]);
  clock.advance(1000);
  equal(restarts()[0].reason?.detail, "memory 2 GB passed maxMemory 1.5 GB");
  probe.close();
});

Deno.test("close clears the timer and ignores later spawns", () => {
  const { clock, probe, spawned } = setup();
  spawned("web", 100);
  equal(clock.pending, 1);
  probe.close();
  equal(clock.pending, 0);
  spawned("web", 101);
  equal(clock.pending, 0);
});

Deno.test("readableSize rounds bytes for people", () => {
  deepStrictEqual(
    [0, 12, 1024, 1536, 900 * 1024, 312.4 * MB, 9.96 * MB, 1023.7 * 1024, 1.5 * 1024 * MB].map(
      readableSize,
    ),
    ["0 B", "12 B", "1 KB", "1.5 KB", "900 KB", "312 MB", "10 MB", "1 MB", "1.5 GB"],
  );
});
