import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { EventOf } from "../src/core/events.ts";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { startLiveSup } from "./support/live_sup.ts";
import { until } from "../src/testing/wait.ts";

const SAMPLE = new URL("../samples/bash_heartbeat.sh", import.meta.url).pathname;
const heartbeat = { timeoutMs: 2_000, startupTimeoutMs: 10_000, action: "restart" as const };

Deno.test("the bash sample's bare 'heart' datagram through /dev/udp heartbeats the only heartbeat job", async () => {
  await using sup = await startLiveSup({
    jobs: () => [
      resolvedJob("beater", ["bash", SAMPLE], {
        env: { HEARTBEAT_S: "0.05" }, // SUP_OSC_HOST/SUP_OSC_PORT come from sup
        heartbeat,
      }),
      resolvedJob("quiet", ["sleep", "300"]),
    ],
  });
  const spawned = await sup.log.waitFor<EventOf<"job.spawned">>(
    (e) => e.type === "job.spawned" && e.job === "beater",
    "beater spawned",
  );
  const ready = await sup.log.waitFor<EventOf<"job.ready">>(
    (e) => e.type === "job.ready" && e.job === "beater",
    "beater ready",
  );
  equal(ready.pid, spawned.pid);
  await until(() => sup.osc.stats().heartbeats >= 10, "ten heartbeats");
  equal(sup.osc.stats().rejected, 0);
  equal(sup.log.events.some((e) => e.type === "heartbeat.missed"), false);
});

Deno.test("the bash sample's hand-encoded OSC '/heart <job>' heartbeats the named job", async () => {
  await using sup = await startLiveSup({
    jobs: () =>
      ["left", "right"].map((name) =>
        resolvedJob(name, ["bash", SAMPLE], {
          env: { HEARTBEAT_S: "0.05" }, // SUP_OSC_*, SUP_JOB come from sup
          heartbeat,
        })
      ),
  });
  const ready = new Set<string>();
  for (let i = 0; i < 2; i++) {
    const e = await sup.log.waitFor<EventOf<"job.ready">>(
      (e) => e.type === "job.ready" && !ready.has(e.job),
      "both jobs ready",
    );
    ready.add(e.job);
  }
  deepStrictEqual([...ready].sort(), ["left", "right"]);
  await until(() => sup.osc.stats().heartbeats >= 20, "twenty heartbeats");
  equal(sup.osc.stats().rejected, 0);
  // Stopping the job ends the script (its loop and its sleep) at once.
  await sup.api.stop("left", { source: "manual" });
  const exited = await sup.log.waitFor<EventOf<"job.exited">>(
    (e) => e.type === "job.exited" && e.job === "left",
    "left exit",
  );
  ok(exited.uptimeMs > 0);
});
