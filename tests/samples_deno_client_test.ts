import { equal, match } from "node:assert/strict";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { startLiveSup } from "./support/live_sup.ts";
import type { EventOf } from "../src/core/events.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test("the Deno sample using sup/client, run as a job, becomes ready, logs and reports an event", async () => {
  await using sup = await startLiveSup({
    jobs: () => [
      resolvedJob("worker", [Deno.execPath(), "run", "-A", "samples/deno_client.ts"], {
        dir: ROOT,
        env: {
          // SUP_WS_URL and SUP_JOB come from sup; `connect()` reads them.
          HEARTBEAT_MS: "100",
          NO_COLOR: "1",
        },
        heartbeat: { timeoutMs: 30_000, startupTimeoutMs: 60_000, action: "restart" },
      }),
    ],
    app: { greeting: "hi" },
  });
  const spawned = await sup.log.waitFor<EventOf<"job.spawned">>(
    (e) => e.type === "job.spawned" && e.job === "worker",
    "worker spawned",
  );
  const ready = await sup.log.waitFor<EventOf<"job.ready">>(
    (e) => e.type === "job.ready" && e.job === "worker",
    "worker ready",
    30_000,
  );
  equal(ready.pid, spawned.pid);
  const log = await sup.log.waitFor<EventOf<"app.log">>(
    (e) => e.type === "app.log" && e.job === "worker",
    "the sample's log line",
    10_000,
  );
  match(
    log.message,
    new RegExp(`^deno sample started \\(pid ${spawned.pid}\\), config keys: greeting$`),
  );
  await sup.log.waitFor(
    (e) => e.type === "app.event" && e.job === "worker" && e.category === "sample",
    "the sample's event",
  );
  // It stops cleanly on SIGTERM (exit 0, expected).
  await sup.api.stop("worker", { source: "manual" });
  const exited = await sup.log.waitFor<EventOf<"job.exited">>(
    (e) => e.type === "job.exited" && e.job === "worker",
    "worker exit",
  );
  equal(exited.code, 0, `exit ${JSON.stringify(exited)}`);
});
