/**
 * The supervisor's run tracker with real processes: one run per process,
 * from entering `running` to leaving it, agreeing with every `job.state`
 * event before bus listeners see it.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { Run } from "../src/core/run_tracker.ts";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { withSupervisor } from "./support/with_supervisor.ts";

const sh = (script: string) => ["/bin/sh", "-c", script];

Deno.test("each process is one run: started, ready at spawn without heartbeat config, ended by its exit or its stop", async () => {
  await withSupervisor(
    [resolvedJob("crashy", sh("sleep 0.2; exit 3"), { minUptimeMs: 50 })],
    async (sup, log) => {
      const disagreements: string[] = [];
      sup.bus.on("job.state", (e) => {
        const run = sup.runs.current(e.job);
        if ((e.to === "running") !== (run !== undefined && run.pid === e.pid)) {
          disagreements.push(`${e.from} → ${e.to} with run ${JSON.stringify(run)}`);
        }
      });
      const seen: Run[] = [];
      const ended: Run[] = [];
      const off = sup.runs.subscribe({ started: (r) => seen.push(r), ended: (r) => ended.push(r) });
      equal(seen.length, 1, "the run going on is told at once");
      const second = await log.wait("job.spawned", () => true, { count: 2 });
      equal(seen.length, 2);
      const [first, next] = seen;
      deepStrictEqual([first.n, next.n], [1, 2]);
      equal(next.pid, second.pid);
      ok(first.readyAt !== null, "ready at its spawn: no heartbeat config");
      equal(ended[0], first);
      deepStrictEqual([first.end?.to, first.end?.code, first.end?.signal], ["starting", 3, null]);
      await sup.stop("crashy", { source: "manual" });
      equal(ended[1], next);
      equal(next.end?.to, "stopping", "a stop ends the run when the job leaves running");
      equal(sup.runs.current("crashy"), undefined);
      deepStrictEqual(disagreements, []);
      off();
    },
  );
});
