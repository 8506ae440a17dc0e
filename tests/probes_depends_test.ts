/**
 * `depends` with the real supervisor and a real job: a content change
 * restarts the job (a new process), a touch does not.
 */

import { deepStrictEqual, equal, notEqual } from "node:assert/strict";
import { Supervisor } from "../src/core/supervisor.ts";
import { DependsProbe } from "../src/probes/depends.ts";
import { resolvedConfig, resolvedJob } from "../src/testing/resolved_job.ts";
import { EventLog } from "./support/event_log.ts";
import { until } from "../src/testing/wait.ts";

Deno.test("depends restarts a running job when its file's content changes, not on touch", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup_depends_it_" });
  const file = `${dir}/settings.json`;
  await Deno.writeTextFile(file, '{"color":"red"}');
  const sup = new Supervisor({ onError: () => {} });
  const log = new EventLog(sup.bus);
  const checked: string[] = [];
  const probe = new DependsProbe(sup, undefined, {
    debounceMs: 50,
    onCheck: (files) => checked.push(...files),
  });
  try {
    const config = resolvedConfig([
      resolvedJob("web", ["sleep", "60"], { depends: [file], killTimeoutMs: 2_000 }),
    ]);
    sup.apply(config);
    probe.apply(config);
    await probe.ready();
    const first = await log.wait("job.spawned");

    const later = new Date(Date.now() + 60_000);
    await Deno.utime(file, later, later);
    await until(() => checked.includes(file), "a check of the touched file");
    equal(log.all("job.spawned").length, 1);
    equal(sup.jobStatus("web")?.pid, first.pid);

    await Deno.writeTextFile(file, '{"color":"blue"}');
    const second = await log.wait("job.spawned", () => true, { count: 2 });
    notEqual(second.pid, first.pid);
    const action = log.all("job.action", (a) => a.action === "restart")[0];
    deepStrictEqual([action.action, action.reason], [
      "restart",
      { source: "depends", detail: `file "${file}" changed` },
    ]);
    const exited = log.all("job.exited")[0];
    equal(exited.pid, first.pid);
    equal(exited.expected, true);
  } finally {
    await probe.close();
    await sup.shutdown();
    log.close();
    await Deno.remove(dir, { recursive: true });
  }
});
