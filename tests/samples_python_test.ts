import { deepStrictEqual, equal, match } from "node:assert/strict";
import type { EventOf } from "../src/core/events.ts";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { startLiveSup } from "./support/live_sup.ts";
import { until } from "../src/testing/wait.ts";

const SAMPLE = new URL("../samples/python_osc_heartbeat.py", import.meta.url).pathname;

Deno.test("the Python sample heartbeats over OSC/UDP, logs, and registers, refreshes and unregisters over HTTP", async () => {
  await using sup = await startLiveSup({
    jobs: () => [
      resolvedJob("py", ["python3", "-u", SAMPLE], {
        env: { HEARTBEAT_S: "0.1" }, // SUP_OSC_*, SUP_HTTP_URL and SUP_JOB come from sup
        heartbeat: { timeoutMs: 5_000, startupTimeoutMs: 30_000, action: "restart" },
      }),
    ],
  });
  const spawned = await sup.log.waitFor<EventOf<"job.spawned">>(
    (e) => e.type === "job.spawned" && e.job === "py",
    "py spawned",
  );
  await sup.log.waitFor((e) => e.type === "job.ready" && e.job === "py", "py ready", 30_000);
  const log = await sup.log.waitFor<EventOf<"app.log">>(
    (e) => e.type === "app.log" && e.job === "py",
    "the sample's OSC /log",
  );
  deepStrictEqual([log.level, log.message], ["info", `python sample started (pid ${spawned.pid})`]);
  const registered = await sup.log.waitFor<EventOf<"app.registered">>(
    (e) => e.type === "app.registered" && e.name === "py-self",
    "the sample's registration",
  );
  equal(registered.pid, spawned.pid);
  equal(registered.timeoutMs, 1000);
  // Heartbeats and refreshes keep coming.
  await until(() => sup.osc.stats().heartbeats >= 5, "five OSC heartbeats", 10_000);
  const listed = await (await fetch(`${sup.httpUrl}/api/status`)).json();
  deepStrictEqual(listed.apps.map((a: { id: string }) => a.id), [registered.id]);
  const before = sup.side.apps.list()[0].lastRefresh;
  await until(() => sup.side.apps.list()[0]?.lastRefresh > before, "a refresh", 5000);
  equal(sup.osc.stats().rejected, 0, JSON.stringify(sup.osc.stats().rejectedBy));
  // On SIGTERM it unregisters and exits 0 (a heartbeat in flight as the job
  // stops is refused as "not-running"; nothing else may be).
  await sup.api.stop("py", { source: "manual" });
  const gone = await sup.log.waitFor<EventOf<"app.unregistered">>(
    (e) => e.type === "app.unregistered",
    "unregistration",
  );
  equal(gone.id, registered.id);
  const exited = await sup.log.waitFor<EventOf<"job.exited">>(
    (e) => e.type === "job.exited" && e.job === "py",
    "py exit",
  );
  equal(exited.code, 0, JSON.stringify(exited));
  equal(sup.log.events.some((e) => e.type === "heartbeat.missed"), false);
  const { rejected, rejectedBy } = sup.osc.stats();
  equal(rejected, rejectedBy["not-running"] ?? 0, JSON.stringify(rejectedBy));
  match(String(sup.osc.stats().received), /^\d+$/);
});
