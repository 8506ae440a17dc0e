/**
 * sup/client's automatic reconnect against the real `sup run`: sup is
 * SIGKILLed (a crash) with the client connected, a new sup comes up on the
 * same ports, and the client's heartbeats resume on their own: the new sup's
 * fresh job becomes ready from them.
 */

import { notEqual } from "node:assert/strict";
import { connect } from "sup/client";
import type { JobStatus } from "../src/core/api.ts";
import { restartSupProcess, startSupProcess, type SupRun } from "./support/sup_run.ts";
import { until } from "../src/testing/wait.ts";

Deno.test("sup/client reconnects after sup is killed and started again; heartbeats resume", async () => {
  const first = await startSupProcess(() => ({
    jobs: { kiosk: { cmd: "sleep 300", heartbeat: { timeout: "30s", startupTimeout: "60s" } } },
  }));
  let second: SupRun | null = null;
  const client = connect({
    url: `ws://127.0.0.1:${first.ports.websocket}/app`,
    job: "kiosk",
    reconnectMs: 50,
    maxReconnectMs: 200,
  });
  const stopBeats = client.startHeartbeat(50);
  try {
    await client.opened();
    await until(
      async () => (await first.get<JobStatus>("/api/jobs/kiosk")).ready,
      "kiosk ready from the client's heartbeats",
    );
    const before = await first.get<JobStatus>("/api/jobs/kiosk");

    await first.kill();
    await until(() => !client.connected, "the client to see sup go away");

    second = await restartSupProcess(first);
    await client.opened();
    let after: JobStatus | null = null;
    await until(
      async () => {
        after = await second!.get<JobStatus>("/api/jobs/kiosk");
        return after.ready;
      },
      "the new sup's kiosk ready from the resumed heartbeats",
      10_000,
    );
    notEqual(after!.pid, before.pid, "the new sup started its own kiosk");
    // The kiosk the killed sup left was ended by the new one.
    await until(() => {
      try {
        return Deno.readTextFileSync(`/proc/${before.pid}/stat`).split(") ")[1][0] === "Z";
      } catch {
        return true;
      }
    }, "the old kiosk to be gone");
  } finally {
    stopBeats();
    client.close();
    if (second) await second[Symbol.asyncDispose]();
    else await first[Symbol.asyncDispose]();
  }
});
