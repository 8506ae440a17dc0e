/** `bounce` with the real supervisor: a job is restarted every period, measured on sup's own event stamps. */

import { equal, ok } from "node:assert/strict";
import { Supervisor } from "../src/core/supervisor.ts";
import { BounceProbe } from "../src/probes/bounce.ts";
import { resolvedConfig, resolvedJob } from "../src/testing/resolved_job.ts";
import { EventLog } from "./support/event_log.ts";

Deno.test("bounce restarts a running job every period", async () => {
  const sup = new Supervisor({ onError: () => {} });
  const log = new EventLog(sup.bus);
  const probe = new BounceProbe(sup);
  try {
    const config = resolvedConfig([
      resolvedJob("kiosk", ["sleep", "60"], { bounceMs: 300, minUptimeMs: 100 }),
    ]);
    sup.apply(config);
    probe.apply(config);
    const third = await log.wait("job.spawned", () => true, { count: 3, timeoutMs: 10_000 });
    const spawns = log.all("job.spawned").slice(0, 3);
    equal(new Set(spawns.map((s) => s.pid)).size, 3, "each bounce is a new process");
    for (let i = 1; i < spawns.length; i++) {
      const gap = spawns[i].at - spawns[i - 1].at;
      ok(gap >= 300 && gap < 300 + 2_000, `gap between spawns was ${gap} ms`);
    }
    const actions = log.all("job.action", (a) => a.action === "restart" && a.at <= third.at);
    equal(actions.length, 2);
    for (const action of actions) {
      equal(action.action, "restart");
      equal(action.reason.source, "bounce");
    }
    equal(log.all("job.backoff").length, 0, "a bounce is not a crash");
  } finally {
    probe.close();
    await sup.shutdown();
    log.close();
  }
});
