/**
 * Run-time enable/disable (`SupervisorApi.setEnabled`, what pmtr's UDP
 * control and `sup enable|disable` use) on the real supervisor with real
 * processes: disabling stops the job and keeps it stopped, enabling starts
 * it, and the override lapses when the job's config changes.
 */

import { equal, ok } from "node:assert/strict";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { until } from "../src/testing/wait.ts";
import { alive } from "./support/event_log.ts";
import { withSupervisor } from "./support/with_supervisor.ts";

const udp = { by: "test", persist: false } as const;
const sh = (script: string) => ["/bin/sh", "-c", script];

Deno.test("a disabled job is stopped and stays stopped across a reload that leaves it alone; enabling starts it", async () => {
  await withSupervisor(
    [resolvedJob("web", sh("exec sleep 30"), { minUptimeMs: 0 })],
    async (sup, log) => {
      const first = await log.wait("job.spawned");
      await sup.setEnabled("web", false, udp);
      ok(!alive(first.pid), "the process group is gone when setEnabled resolves");
      const status = sup.jobStatus("web")!;
      equal(status.state, "stopped");
      equal(status.disabled, true);
      const stop = log.all("job.action", (e) => e.action === "stop")[0];
      equal(stop.reason.detail, "test");

      // A reload that leaves the job alone does not start it again.
      sup.apply({ ...sup.config(), jobs: [...sup.config().jobs] });
      await new Promise((r) => setTimeout(r, 200));
      equal(log.all("job.spawned").length, 1);
      equal(sup.jobStatus("web")!.disabled, true);

      await sup.setEnabled("web", true, udp);
      const second = await log.wait("job.spawned", () => true, { count: 2 });
      ok(second.pid !== first.pid);
      equal(sup.jobStatus("web")!.disabled, false);
      // Enabling an enabled job changes nothing.
      await sup.setEnabled("web", true, udp);
      await new Promise((r) => setTimeout(r, 200));
      equal(log.all("job.spawned").length, 2);
    },
  );
});

Deno.test("enabling a job the config disables starts it; a change of its config restores the config's word", async () => {
  const job = resolvedJob("batch", sh("exec sleep 30"), { disabled: true });
  await withSupervisor([job], async (sup, log) => {
    await new Promise((r) => setTimeout(r, 150));
    equal(log.all("job.spawned").length, 0, "disabled by the config: not started");
    await sup.setEnabled("batch", true, udp);
    const spawned = await log.wait("job.spawned");
    equal(sup.jobStatus("batch")!.disabled, false);

    // The job's config changes (still disabled): the override lapses, the job stops.
    const changed = { ...job, env: { CHANGED: "1" } };
    sup.apply({ ...sup.config(), jobs: [changed] });
    await log.wait("job.state", (e) => e.job === "batch" && e.to === "stopped");
    equal(sup.jobStatus("batch")!.disabled, true);
    await until(() => !alive(spawned.pid), "the job's old process to end");
  });
});

Deno.test("a disable lapses when the job's config changes: the job runs again", async () => {
  const job = resolvedJob("web", sh("exec sleep 30"));
  await withSupervisor([job], async (sup, log) => {
    await log.wait("job.spawned");
    await sup.setEnabled("web", false, udp);
    sup.apply({ ...sup.config(), jobs: [{ ...job, env: { V: "2" } }] });
    await log.wait("job.spawned", () => true, { count: 2 });
    equal(sup.jobStatus("web")!.disabled, false);
  });
});

Deno.test("setEnabled on an unknown job throws UnknownJobError", async () => {
  await withSupervisor([resolvedJob("web", sh("exec sleep 30"))], async (sup) => {
    let error: unknown = null;
    try {
      await sup.setEnabled("wbe", false, udp);
    } catch (e) {
      error = e;
    }
    equal((error as Error)?.name, "UnknownJobError");
  });
});
