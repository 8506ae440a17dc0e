/**
 * Ordering and composition: `wait`, `once`, `after`, `disabled`, reloads
 * through `apply`, side and post-launch commands, shutdown order.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { Supervisor } from "../src/core/supervisor.ts";
import { resolvedConfig, resolvedJob } from "../src/testing/resolved_job.ts";
import { alive, EventLog, until } from "./support/event_log.ts";
import { withSupervisor } from "./support/with_supervisor.ts";

const manual = { source: "manual" } as const;
const sh = (script: string) => ["/bin/sh", "-c", script];

Deno.test("a wait job gates the jobs after it until it exits 0; once jobs are not restarted", async () => {
  const jobs = [
    resolvedJob("early", ["sleep", "30"]),
    resolvedJob("setup", sh("sleep 0.2"), { wait: true }),
    resolvedJob("migrate", sh("exit 0"), { once: true, minUptimeMs: 0 }),
    resolvedJob("web", ["sleep", "30"]),
  ];
  await withSupervisor(jobs, async (sup, log) => {
    const web = await log.wait("job.spawned", (e) => e.job === "web");
    const setupExit = log.all("job.exited", (e) => e.job === "setup")[0];
    ok(setupExit && setupExit.code === 0 && setupExit.expected, "setup finished first");
    ok(web.at >= setupExit.at);
    const early = log.all("job.spawned", (e) => e.job === "early")[0];
    ok(early.at < setupExit.at, "a job listed before the wait job does not wait");
    await log.wait("job.state", (e) => e.job === "migrate" && e.to === "exited");
    await new Promise((r) => setTimeout(r, 100));
    equal(log.all("job.spawned", (e) => e.job === "migrate").length, 1, "once job ran once");
    equal(sup.jobStatus("setup")?.state, "exited");
    for (const job of ["setup", "migrate"]) {
      deepStrictEqual(sup.jobStatus(job)?.lastReason, {
        source: "finished",
        detail: "job finished (exited with code 0)",
      }, `a ${job} job that exited 0 finished, it did not crash`);
    }
  });
});

Deno.test("a failing wait job is retried with backoff and keeps later jobs waiting", async () => {
  const jobs = [
    resolvedJob("setup", sh("exit 1"), {
      wait: true,
      minUptimeMs: 5_000,
      backoffInitialMs: 20,
      maxRetries: 3,
    }),
    resolvedJob("web", ["sleep", "30"]),
  ];
  await withSupervisor(jobs, async (sup, log) => {
    await log.wait("job.fatal", (e) => e.job === "setup");
    equal(log.all("job.backoff").length, 2);
    equal(sup.jobStatus("web")?.state, "stopped");
    equal(log.all("job.spawned", (e) => e.job === "web").length, 0);
  });
});

Deno.test("after starts a job once its targets run, and waits for ready when they have a heartbeat", async () => {
  const heartbeat = { timeoutMs: 10_000, startupTimeoutMs: 60_000, action: "restart" as const };
  const jobs = [
    resolvedJob("api", ["sleep", "30"], { after: ["db", "cache"] }),
    resolvedJob("db", ["sleep", "30"], { heartbeat }),
    resolvedJob("cache", ["sleep", "30"]),
  ];
  await withSupervisor(jobs, async (sup, log) => {
    await log.wait("job.spawned", (e) => e.job === "db");
    await log.wait("job.spawned", (e) => e.job === "cache");
    await new Promise((r) => setTimeout(r, 100));
    equal(sup.jobStatus("api")?.state, "stopped", "api waits for db to be ready");
    ok(sup.markReady("db"));
    await log.wait("job.ready", (e) => e.job === "db");
    const api = await log.wait("job.spawned", (e) => e.job === "api");
    ok(api.at >= log.all("job.ready", (e) => e.job === "db")[0].at);
    equal(sup.markReady("nope"), false);
  });
});

Deno.test("a disabled job stays stopped until started by hand", async () => {
  await withSupervisor(
    [resolvedJob("off", ["sleep", "30"], { disabled: true })],
    async (sup, log) => {
      await new Promise((r) => setTimeout(r, 100));
      equal(sup.jobStatus("off")?.state, "stopped");
      equal(sup.jobStatus("off")?.disabled, true);
      sup.start("off", manual);
      await log.wait("job.spawned", (e) => e.job === "off");
    },
  );
});

Deno.test("apply adds, removes and restarts changed jobs and keeps unchanged PIDs", async () => {
  const a = resolvedJob("a", ["sleep", "30"]);
  const b = resolvedJob("b", ["sleep", "30"]);
  const c = resolvedJob("c", ["sleep", "30"]);
  await withSupervisor([a, b, c], async (sup, log) => {
    await until(() => sup.status().every((s) => s.state === "running"), "all running");
    const before = Object.fromEntries(sup.status().map((s) => [s.name, s.pid]));
    const plan = sup.apply(
      resolvedConfig([a, { ...b, env: { X: "1" } }, resolvedJob("d", ["sleep", "30"])]),
    );
    deepStrictEqual(plan, { added: ["d"], removed: ["c"], changed: ["b"] });
    const reloaded = await log.wait("config.reloaded");
    deepStrictEqual([reloaded.added, reloaded.removed, reloaded.changed], [["d"], ["c"], ["b"]]);
    await until(
      () => sup.status().every((s) => s.state === "running") && !alive(before.c!),
      "reload done",
    );
    equal(sup.jobStatus("a")?.pid, before.a);
    ok(sup.jobStatus("b")?.pid !== before.b);
    ok(!alive(before.b!));
    equal(sup.jobStatus("c"), undefined);
    deepStrictEqual(sup.status().map((s) => s.name), ["a", "b", "d"]);
  });
});

Deno.test("a config change is a way out of fatal", async () => {
  const bad = resolvedJob("svc", ["no-such-command-sup"]);
  await withSupervisor([bad], async (sup, log) => {
    await log.wait("job.fatal");
    sup.apply(resolvedConfig([{ ...bad, argv: ["sleep", "30"] }]));
    await log.wait("job.spawned", (e) => e.job === "svc");
    equal(sup.jobStatus("svc")?.state, "running");
  });
});

Deno.test("sideCommand starts and stops with its job; postLaunchCommand runs once per start", async () => {
  const dir = await Deno.makeTempDir();
  const job = resolvedJob("main", ["sleep", "30"], {
    sideCommand: sh(`echo $$ > ${dir}/side; exec sleep 30`),
    postLaunchCommand: sh(`echo x >> ${dir}/post`),
  });
  try {
    await withSupervisor([job], async (sup, log) => {
      await until(() => {
        try {
          return Deno.readTextFileSync(`${dir}/side`).trim() !== "" &&
            Deno.readTextFileSync(`${dir}/post`) !== "";
        } catch {
          return false;
        }
      }, "side and post-launch commands ran");
      const side = Number(Deno.readTextFileSync(`${dir}/side`));
      ok(alive(side));
      sup.restart("main", manual);
      await log.wait("job.spawned", () => true, { count: 2 });
      await until(() => Deno.readTextFileSync(`${dir}/post`) === "x\nx\n", "post-launch ran again");
      await until(() => !alive(side), "the old side command stopped with the job");
      await sup.stop("main", manual);
      const side2 = Number(Deno.readTextFileSync(`${dir}/side`));
      await until(() => !alive(side2), "the side command stopped");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shutdown stops dependents before the jobs they run after, within kill timeouts", async () => {
  const jobs = [
    resolvedJob("db", ["sleep", "30"]),
    resolvedJob("api", sh('trap "sleep 0.2; exit 0" TERM; while :; do sleep 0.05; done'), {
      after: ["db"],
    }),
    resolvedJob("other", ["sleep", "30"]),
  ];
  const sup = new Supervisor({ onError: () => {} });
  const log = new EventLog(sup.bus);
  sup.apply(resolvedConfig(jobs));
  await until(() => sup.status().every((s) => s.state === "running"), "all running");
  await new Promise((r) => setTimeout(r, 100));
  await sup.shutdown();
  const stopped = (job: string) =>
    log.all("job.state", (e) => e.job === job && e.to === "stopped")[0];
  const stopping = (job: string) =>
    log.all("job.state", (e) => e.job === job && e.to === "stopping")[0];
  ok(stopping("db").at >= stopped("api").at, "db is stopped after api");
  ok(stopping("other").at < stopped("api").at, "independent jobs stop in parallel");
  ok(sup.status().every((s) => s.state === "stopped"));
  log.close();
});
