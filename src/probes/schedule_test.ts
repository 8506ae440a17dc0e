import { deepStrictEqual, equal } from "node:assert/strict";
import type { JobState } from "../core/events.ts";
import type { ResolvedSchedule } from "../config/resolved.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { jobStatus, RecordingApi } from "../testing/recording_api.ts";
import { until } from "../testing/wait.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { ScheduleProbe } from "./schedule.ts";

const job = (name: string, schedule: Partial<ResolvedSchedule>, disabled = false) =>
  resolvedJob(name, ["sleep", "100"], {
    disabled,
    schedule: { start: null, stop: null, restart: null, ...schedule },
  });

Deno.test("schedules run at their next cron time in local time", () => {
  const clock = new FakeClock(new Date(2026, 0, 5, 3, 0).getTime()); // a Monday, 03:00
  const config = resolvedConfig([
    job("web", { restart: "0 4 * * *", start: "30 8 * * 1-5" }),
    job("db", { stop: "0 20 * * *" }),
    job("idle", {}),
  ]);
  const probe = new ScheduleProbe(new RecordingApi(config), clock);
  probe.apply(config);
  const runs = probe.nextRuns().map((r) => [r.job, r.action, r.cron, r.at]);
  deepStrictEqual(runs, [
    ["web", "start", "30 8 * * 1-5", new Date(2026, 0, 5, 8, 30).getTime()],
    ["web", "restart", "0 4 * * *", new Date(2026, 0, 5, 4, 0).getTime()],
    ["db", "stop", "0 20 * * *", new Date(2026, 0, 5, 20, 0).getTime()],
  ]);
  clock.advance(6 * 3_600_000); // 09:00: the next weekday start is tomorrow
  equal(probe.nextRuns()[0].at, new Date(2026, 0, 6, 8, 30).getTime());
  probe.close();
  deepStrictEqual(probe.nextRuns(), []);
});

Deno.test("apply replaces changed schedules and drops removed jobs' schedules", () => {
  const first = resolvedConfig([
    job("web", { restart: "0 4 * * *" }),
    job("db", { stop: "0 20 * * *" }),
  ]);
  const probe = new ScheduleProbe(new RecordingApi(first));
  probe.apply(first);
  probe.apply(resolvedConfig([job("web", { restart: "0 5 * * *" })]));
  deepStrictEqual(probe.nextRuns().map((r) => [r.job, r.action, r.cron]), [
    ["web", "restart", "0 5 * * *"],
  ]);
  probe.close();
});

Deno.test("every-second schedules start, stop and restart through the api, skipping disabled and stopped jobs", async () => {
  const every = "* * * * * *";
  const config = resolvedConfig([
    job("web", { restart: every }),
    job("worker", { stop: every }),
    job("report", { start: every }),
    job("off", { start: every, restart: every }, true),
    job("paused", { restart: every }),
  ]);
  const api = new RecordingApi(config);
  const states: Record<string, JobState> = {
    web: "running",
    worker: "running",
    report: "exited",
    off: "stopped",
    paused: "stopped",
  };
  for (const [name, state] of Object.entries(states)) {
    api.statuses.set(name, jobStatus(name, { state, disabled: name === "off" }));
  }
  const probe = new ScheduleProbe(api);
  try {
    probe.apply(config);
    const count = (job: string) => api.actions.filter((a) => a.job === job).length;
    // Two fires of web's schedule mean every schedule fired at least once.
    await until(() => count("web") >= 2, "two scheduled restarts of web", 5_000);
  } finally {
    probe.close();
  }
  const seen = new Set(
    api.actions.map((a) => `${a.method} ${a.job} ${a.reason?.source} ${a.reason?.detail}`),
  );
  deepStrictEqual([...seen].sort(), [
    `restart web schedule cron "${every}" (restart)`,
    `start report schedule cron "${every}" (start)`,
    `stop worker schedule cron "${every}" (stop)`,
  ]);
});
