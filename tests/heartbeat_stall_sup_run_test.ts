/**
 * A stalled sup (SIGSTOP longer than a heartbeat timeout, then SIGCONT) does
 * not blame its jobs for the time it did not run: no restart, and the stall
 * is logged (`sup.stalled`).
 */

import { equal, ok } from "node:assert/strict";
import { startSupProcess } from "./support/sup_run.ts";
import { until } from "../src/testing/wait.ts";

type Job = { pid: number | null; restarts: number; ready: boolean; lastReason: unknown };

Deno.test("SIGSTOP of sup for longer than a heartbeat timeout, then SIGCONT: no restart, a stall logged", async () => {
  await using sup = await startSupProcess((ports) => ({
    jobs: {
      kiosk: {
        cmd: [
          "/bin/sh",
          "-c",
          `while true; do oscsend 127.0.0.1 ${ports.osc} /heart s kiosk; sleep 0.1; done`,
        ],
        heartbeat: { timeout: "1s", startupTimeout: "10s" },
      },
    },
  }));
  await until(async () => (await sup.get<Job>("/api/jobs/kiosk")).ready, "kiosk ready", 10_000);
  const before = await sup.get<Job>("/api/jobs/kiosk");
  sup.child.kill("SIGSTOP");
  try {
    await new Promise((r) => setTimeout(r, 3_000)); // three heartbeat timeouts
  } finally {
    sup.child.kill("SIGCONT");
  }
  await new Promise((r) => setTimeout(r, 2_000)); // two more timeouts: beats flow again
  const after = await sup.get<Job>("/api/jobs/kiosk");
  equal(after.restarts, before.restarts, JSON.stringify(after));
  equal(after.pid, before.pid, "the same process runs on");
  ok(
    !sup.logLines().some((l) => l.includes("no heartbeat for")),
    sup.logLines().filter((l) => l.includes("heartbeat")).join("\n"),
  );
  const line = await sup.waitForLog(["sup stalled for"], "the stall logged");
  ok(/sup stalled for (2\.\d|3\.\d)s/.test(line), line);
});
