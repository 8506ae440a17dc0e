import { deepStrictEqual, equal } from "node:assert/strict";
import type { MiddlewareHandler } from "hono";
import type { AppCommand, AppPeer, AppReply } from "../apps/app_command.ts";
import { RecordingApi } from "../testing/recording_api.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
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
