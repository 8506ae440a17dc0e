import { deepStrictEqual, equal } from "node:assert/strict";
import type { MiddlewareHandler } from "hono";
import type { AppCommand, AppPeer, AppReply } from "../apps/app_command.ts";
import type { StatusReport } from "../core/control_api.ts";
import { jobStatus, RecordingApi } from "../testing/recording_api.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import type { SupControl } from "./control_routes.ts";
import { createHttpApp } from "./http_app.ts";

function setup(guard?: MiddlewareHandler) {
  const api = new RecordingApi(resolvedConfig([resolvedJob("web", ["x"])]));
  const commands: Array<[AppCommand, AppPeer["channel"]]> = [];
  const handle = (command: AppCommand, from: AppPeer): AppReply => {
    commands.push([command, from.channel]);
    if (command.type === "configRequest") return { type: "config", app: { screen: 1 } };
    return { type: "ok" };
  };
  const app = createHttpApp({ api, handle, listApps: () => [], operatorGuard: guard });
  return { app, commands };
}

const locked: MiddlewareHandler = (c) => Promise.resolve(c.json({ error: "Log in first" }, 401));

Deno.test("an operator guard locks the operator routes and never sees a request of the app routes", async () => {
  const { app, commands } = setup(locked);
  for (
    const [method, path] of [
      ["GET", "/api/status"],
      ["GET", "/api/jobs"],
      ["POST", "/api/jobs/web/restart"],
      ["GET", "/api/jobs/web/output"],
      ["GET", "/api/channels"],
      ["GET", "/nowhere"],
    ]
  ) {
    equal((await app.request(path, { method })).status, 401, `${method} ${path}`);
  }
  const config = await app.request("/config");
  deepStrictEqual([config.status, await config.json()], [200, { screen: 1 }]);
  equal((await app.request("/api/jobs/web/heartbeat", { method: "POST" })).status, 204);
  equal((await app.request("/api/apps/a1/refresh", { method: "POST" })).status, 204);
  equal((await app.request("/api/apps")).status, 200);
  deepStrictEqual(commands, [
    [{ type: "configRequest" }, "http"],
    [{ type: "heartbeat", job: "web" }, "http"],
    [{ type: "refresh", id: "a1" }, "http"],
  ]);
});

Deno.test("without a guard both sides answer, and unknown routes are JSON 404s", async () => {
  const { app } = setup();
  equal((await app.request("/api/status")).status, 200);
  equal((await app.request("/config")).status, 200);
  const missing = await app.request("/nowhere");
  deepStrictEqual([missing.status, await missing.json()], [404, {
    error: "No route for GET /nowhere",
  }]);
});

Deno.test("the control routes, built on the first request, show health seen before it and answer unknown paths and failures as the rest", async () => {
  const api = new RecordingApi(resolvedConfig([resolvedJob("web", ["x"])]));
  api.statuses.set("web", jobStatus("web", { state: "running", pid: 100 }));
  const control: SupControl = {
    stateFile: "/run/sup/x.json",
    about: () => {
      throw new Error("about() failed");
    },
    reload: () => Promise.resolve({ ok: false, config: "/opt/kiosk/config.ts", errors: ["x"] }),
    rotate: () => Promise.resolve({ files: [] }),
    shutdown: () => {},
  };
  const app = createHttpApp({
    api,
    handle: () => ({ type: "ok" }),
    listApps: () => [],
    control: { control },
  });
  // Before any request: the routes are not built yet, the health tracker already listens.
  api.bus.emit({
    type: "health.failed",
    job: "web",
    check: "http",
    reason: "HTTP 500",
    failures: 3,
    at: 5,
  });
  const rotate = await app.request("/api/control/rotate", { method: "POST" });
  deepStrictEqual([rotate.status, await rotate.json()], [200, { files: [] }]);
  const missing = await app.request("/api/control/nowhere");
  deepStrictEqual([missing.status, await missing.json()], [404, {
    error: "No route for GET /api/control/nowhere",
  }]);
  // A route that fails answers with the operator side's JSON 500 (the status report asks about()).
  const failed = await app.request("/api/control/status");
  deepStrictEqual([failed.status, await failed.json()], [500, { error: "about() failed" }]);
  control.about = () => ({
    name: "kiosk",
    version: "0.1.0",
    startedAt: 1,
    socket: null,
    stateFile: "/run/sup/x.json",
  });
  const status = await (await app.request("/api/control/status")).json() as StatusReport;
  deepStrictEqual(status.jobs.map((row) => [row.name, row.health]), [
    ["web", { ok: false, at: 5, reason: "HTTP 500" }],
  ]);
});
