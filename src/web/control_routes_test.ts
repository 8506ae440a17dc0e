import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { JobActionReport, StatusReport } from "../core/control_api.ts";
import { jobStatus, RecordingApi } from "../testing/recording_api.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { controlRoutes, type SupControl } from "./control_routes.ts";

function setup(names: string[], groups: Record<string, string[]> = {}) {
  const jobs = names.map((name) =>
    resolvedJob(name, ["sleep", "60"], { groups: groups[name] ?? [] })
  );
  const api = new RecordingApi(resolvedConfig(jobs, "/opt/kiosk/config.ts"));
  for (const name of names) {
    api.statuses.set(name, jobStatus(name, { state: "running", pid: 100 + api.statuses.size }));
  }
  const calls: string[] = [];
  const control: SupControl = {
    stateFile: "/run/sup/x.json",
    about: () => ({
      name: "kiosk",
      version: "0.1.0",
      startedAt: 1,
      socket: "/run/sup/kiosk.sock",
      stateFile: "/run/sup/x.json",
    }),
    reload: () => Promise.resolve({ ok: false, config: "/opt/kiosk/config.ts", errors: ["x"] }),
    rotate: () => Promise.resolve({ files: [] }),
    shutdown: (by) => void calls.push(by),
  };
  const app = controlRoutes({
    api,
    control,
    lastHeartbeat: (job) => (job === "web" ? 1234 : null),
    usage: (groups) =>
      Promise.resolve(
        new Map([...groups.keys()].map((pgid) => [pgid, { rssBytes: pgid, cpuPercent: 1 }])),
      ),
  });
  const post = (path: string, body: unknown) =>
    app.request(path, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });
  return { api, app, post, calls };
}

Deno.test("status rows carry usage of the job's group and its last heartbeat; selectors pick jobs", async () => {
  const { app } = setup(["web", "api", "worker"], { web: ["front"], api: ["front"] });
  const all = await (await app.request("/api/control/status")).json() as StatusReport;
  deepStrictEqual(all.jobs.map((j) => [j.name, j.rssBytes, j.lastHeartbeatAt]), [
    ["web", 100, 1234],
    ["api", 101, null],
    ["worker", 102, null],
  ]);
  equal(all.sup.name, "kiosk");
  equal(all.sup.config, "/opt/kiosk/config.ts");
  const front = await (await app.request("/api/control/status?jobs=group:front"))
    .json() as StatusReport;
  deepStrictEqual(front.jobs.map((j) => j.name), ["web", "api"]);
  const typo = await app.request("/api/control/status?jobs=wbe");
  equal(typo.status, 404);
  equal((await typo.json()).error, 'Unknown job "wbe" (did you mean "web"?)');
});

Deno.test("job actions refuse unknown names, signals and bodies without doing anything", async () => {
  const { api, post } = setup(["web", "worker"]);
  const unknown = await post("/api/control/jobs/stop", { jobs: ["web", "wroker", "group:x"] });
  equal(unknown.status, 404);
  const body = await unknown.json();
  equal(body.problems.length, 2);
  ok(body.error.endsWith("; nothing was done"), body.error);
  equal((await post("/api/control/jobs/stop", {})).status, 400);
  equal((await post("/api/control/jobs/explode", { jobs: ["web"] })).status, 404);
  const signal = await post("/api/control/jobs/signal", { jobs: ["web"], signal: "SIGFOO" });
  equal(signal.status, 400);
  deepStrictEqual(api.actions, [], "nothing was asked of the supervisor");
});

Deno.test("all names every job, unless a job is called all", async () => {
  const { api, post } = setup(["web", "worker"]);
  const report = await (await post("/api/control/jobs/stop", { jobs: ["all"] }))
    .json() as JobActionReport;
  deepStrictEqual(report.results.map((r) => r.job), ["web", "worker"]);
  deepStrictEqual(api.actions.map((a) => [a.method, a.job, a.reason?.detail]), [
    ["stop", "web", "sup stop"],
    ["stop", "worker", "sup stop"],
  ]);
  const named = setup(["all", "web"]);
  const one = await (await named.post("/api/control/jobs/signal", { jobs: ["all"], signal: "hup" }))
    .json() as JobActionReport;
  deepStrictEqual(one.results.map((r) => [r.job, r.message]), [
    ["all", "sent SIGHUP to its process group 100"],
  ]);
});

Deno.test("shutdown answers first, then asks sup to stop", async () => {
  const { post, calls } = setup(["web"]);
  const response = await post("/api/control/shutdown", {});
  equal(response.status, 200);
  equal((await response.json()).pid, Deno.pid);
  deepStrictEqual(calls, []);
  await new Promise((r) => setTimeout(r, 50));
  deepStrictEqual(calls, ["sup shutdown"]);
});

Deno.test("before sup has a config, every control route answers 503", async () => {
  const { api, app } = setup(["web"]);
  api.config = () => {
    throw new Error("The supervisor has no config yet: call apply() first");
  };
  const response = await app.request("/api/control/info");
  equal(response.status, 503);
  equal(response.headers.get("retry-after"), "1");
  equal((await response.json()).error, "sup is starting: ask again in a moment");
});
