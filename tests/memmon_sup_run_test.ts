/**
 * The `memmon` listener through `sup run` on a JSON config: two jobs whose
 * forked child grows past the limit while the job's own process (a shell)
 * stays small. memmon without `cumulative` sees only the shell and leaves
 * its job alone (superlance's memmon without `-c` never sees a child's
 * memory); with `cumulative` it sums the tree and restarts the other job.
 */

import { equal, ok } from "node:assert/strict";
import { until } from "../src/testing/wait.ts";
import { startSupProcess } from "./support/sup_run.ts";

// The shell stays small; its child python writes (so holds) 64 MB and sleeps.
const GROWS = [
  "sh",
  "-c",
  `python3 -c 'import time; b = b"x" * (64 << 20); time.sleep(300)' & wait`,
];

interface JobView {
  restarts: number;
  lastReason: { source: string; by?: string; detail?: string } | null;
}

Deno.test("sup run: memmon restarts the job whose process tree passes the limit only with cumulative", async () => {
  await using sup = await startSupProcess(() => ({
    jobs: { own: { cmd: GROWS }, tree: { cmd: GROWS } },
    listeners: [
      { kind: "memmon", limits: { own: "32MB" }, interval: "300ms" },
      {
        kind: "memmon",
        name: "cumulative",
        limits: { tree: "32MB" },
        cumulative: true,
        interval: "300ms",
      },
    ],
  }));
  await until(
    async () => (await sup.get<JobView>("/api/jobs/tree")).restarts >= 1,
    "memmon (cumulative) to restart the job whose child grew",
    20_000,
  );
  const tree = await sup.get<JobView>("/api/jobs/tree");
  equal(tree.lastReason?.source, "listener");
  equal(tree.lastReason?.by, "cumulative");
  ok(
    /^memory of its process tree \d+ MB passed 32 MB \(limit of "tree"\)$/.test(
      tree.lastReason?.detail ?? "",
    ),
    tree.lastReason?.detail,
  );
  // The same child in the other job: memmon without cumulative reads the shell only.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  equal((await sup.get<JobView>("/api/jobs/own")).restarts, 0);
  await sup.waitForLog(["Restarting job", "tree"], "memmon's log line of the restart");
});
