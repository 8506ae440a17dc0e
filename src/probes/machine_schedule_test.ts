import { deepStrictEqual, equal, match } from "node:assert/strict";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { ActionReason, JobState } from "../core/events.ts";
import { RecordingApi } from "../testing/recording_api.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { until } from "../testing/wait.ts";
import { MachineScheduleProbe } from "./machine_schedule.ts";

function config(machine: Partial<ResolvedConfig["machine"]>): ResolvedConfig {
  const base = resolvedConfig([resolvedJob("web", ["x"]), resolvedJob("worker", ["x"])]);
  return { ...base, machine: { ...base.machine, ...machine } };
}

/** What the supervisor emits when `job` moves to `to` for `reason`. */
function state(api: RecordingApi, job: string, to: JobState, reason: ActionReason): void {
  api.bus.emit({
    type: "job.state",
    job,
    from: "running",
    to,
    pid: null,
    reason,
    code: 1,
    signal: null,
    uptimeMs: 10,
    at: Date.now(),
  });
}

const crash = { source: "crash", detail: "job exited with code 1, restarting" } as const;

Deno.test("restartAfter: the Nth restart of one job because it went away reboots the machine", () => {
  const api = new RecordingApi(config({ restartAfter: 3 }));
  const probe = new MachineScheduleProbe(api);
  probe.apply(api.config());
  state(api, "web", "starting", crash);
  state(api, "web", "starting", { source: "heartbeat", detail: "no heartbeat for 5s" });
  state(api, "worker", "starting", crash);
  // Not counted: restarts asked for by people, schedules, memory limits; moves that are not starts.
  state(api, "web", "starting", { source: "manual" });
  state(api, "web", "starting", { source: "memmon" });
  state(api, "web", "backoff", crash);
  deepStrictEqual(probe.counts(), { web: 2, worker: 1 });
  equal(api.actions.length, 0);
  state(api, "web", "starting", { source: "health", detail: "3 checks failed" });
  equal(api.actions.length, 1);
  equal(api.actions[0].method, "reboot");
  deepStrictEqual(api.actions[0].reason, {
    source: "health",
    detail: 'job "web" was restarted 3 times, machine.restartAfter is 3 (last: 3 checks failed)',
  });
  deepStrictEqual(probe.counts(), {}, "every count starts again after a machine action");
  probe.close();
});

Deno.test("restartAfter: a job's own schedule starts its count again (as ampm's)", () => {
  const api = new RecordingApi(config({ restartAfter: 2 }));
  const probe = new MachineScheduleProbe(api);
  probe.apply(api.config());
  state(api, "web", "starting", crash);
  api.bus.emit({
    type: "job.action",
    job: "web",
    action: "restart",
    reason: { source: "schedule", detail: 'cron "0 4 * * *" (restart)' },
    at: Date.now(),
  });
  state(api, "web", "starting", crash);
  equal(api.actions.length, 0);
  // Turned off by a reload: nothing is counted any more.
  probe.apply(config({ restartAfter: null }));
  state(api, "web", "starting", crash);
  state(api, "web", "starting", crash);
  equal(api.actions.length, 0);
  probe.close();
});

Deno.test("machine schedules fire machine actions with their cron in the reason", async () => {
  const api = new RecordingApi(config({ shutdownSchedule: "* * * * * *" }));
  const probe = new MachineScheduleProbe(api);
  try {
    probe.apply(api.config());
    deepStrictEqual(probe.nextRuns().map((r) => [r.action, r.expression]), [
      ["shutdown", "* * * * * *"],
    ]);
    await until(() => api.actions.length > 0, "the schedule fired", 2_500);
    equal(api.actions[0].method, "shutdown");
    deepStrictEqual(api.actions[0].reason, {
      source: "schedule",
      detail: 'machine.shutdownSchedule "* * * * * *"',
    });
    // A reload to another schedule replaces it; one that removes it stops it.
    probe.apply(config({ restartSchedule: "0 4 * * 1" }));
    const next = probe.nextRuns();
    deepStrictEqual(next.map((r) => [r.action, r.expression]), [["reboot", "0 4 * * 1"]]);
    match(new Date(next[0].at!).toString(), /^Mon .* 04:00:00/);
    const fired = api.actions.length;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    equal(api.actions.length, fired, "the old schedule is stopped");
  } finally {
    probe.close();
  }
  deepStrictEqual(probe.nextRuns(), []);
});
