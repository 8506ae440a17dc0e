import { equal, ok } from "node:assert/strict";
import { connect } from "sup/client";
import type { EventOf } from "../src/core/events.ts";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { startLiveSup } from "./support/live_sup.ts";
import { until } from "../src/testing/wait.ts";

Deno.test("a job that stops heartbeating over WebSocket is restarted within timeout + 100 ms", async () => {
  const timeoutMs = 400;
  await using sup = await startLiveSup({
    jobs: () => [
      resolvedJob("kiosk", ["sleep", "300"], {
        heartbeat: { timeoutMs, startupTimeoutMs: 20_000, action: "restart" },
        killTimeoutMs: 2000,
      }),
    ],
  });
  const first = await sup.log.waitFor<EventOf<"job.spawned">>(
    (e) => e.type === "job.spawned" && e.job === "kiosk",
    "first spawn",
  );
  const client = connect({ url: sup.wsUrl, job: "kiosk" });
  try {
    await client.opened();
    const stop = client.startHeartbeat(50);
    await sup.log.waitFor((e) => e.type === "job.ready" && e.job === "kiosk", "kiosk ready");
    // Beat for a while past one timeout: no miss while heartbeats flow.
    const beatsBefore = sup.ws.stats().heartbeats;
    await until(() => sup.ws.stats().heartbeats >= beatsBefore + 12, "12 more heartbeats");
    equal(sup.log.events.some((e) => e.type === "heartbeat.missed"), false);
    stop();
    const missed = await sup.log.waitFor<EventOf<"heartbeat.missed">>(
      (e) => e.type === "heartbeat.missed" && e.job === "kiosk",
      "heartbeat.missed",
    );
    equal(missed.timeoutMs, timeoutMs);
    ok(missed.lastSeen !== null);
    const late = missed.at - missed.lastSeen!;
    ok(late >= timeoutMs && late <= timeoutMs + 100, `missed ${late}ms after the last heartbeat`);
    const action = await sup.log.waitFor<EventOf<"job.action">>(
      (e) => e.type === "job.action" && e.job === "kiosk" && e.reason.source === "heartbeat",
      "restart for the missed heartbeat",
    );
    equal(action.action, "restart");
    ok(action.at - missed.at <= 100, `restart asked ${action.at - missed.at}ms after the miss`);
    const second = await sup.log.waitFor<EventOf<"job.spawned">>(
      (e) => e.type === "job.spawned" && e.job === "kiosk" && e.pid !== first.pid,
      "the replacement",
    );
    ok(second.pid > 0);
    // The same connection heartbeats the new process: it becomes ready again.
    equal(client.heartbeat(), true);
    await sup.log.waitFor(
      (e) => e.type === "job.ready" && e.job === "kiosk" && e.pid === second.pid,
      "replacement ready",
    );
  } finally {
    client.close();
  }
});
