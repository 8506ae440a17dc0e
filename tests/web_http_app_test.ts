import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { startLiveSup } from "./support/live_sup.ts";
import type { EventOf } from "../src/core/events.ts";

const heartbeat = { timeoutMs: 30_000, startupTimeoutMs: 60_000, action: "restart" as const };

function liveSup() {
  return startLiveSup({
    jobs: () => [
      resolvedJob("web", ["sh", "-c", "echo one; echo two; exec sleep 300"], { heartbeat }),
      resolvedJob("off", ["sleep", "300"], { disabled: true }),
    ],
    app: { screen: 2, title: "Lobby" },
  });
}

async function call(
  app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> },
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await app.request(path, {
    method,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    headers: body === undefined ? undefined : { "content-type": "application/json" },
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

Deno.test("GET /config answers the config's app section", async () => {
  await using sup = await liveSup();
  deepStrictEqual(await call(sup.web.app, "GET", "/config"), {
    status: 200,
    json: { screen: 2, title: "Lobby" },
  });
});

Deno.test("job routes answer status, output and 404 JSON for unknown jobs", async () => {
  await using sup = await liveSup();
  await sup.log.waitFor(
    (e) => e.type === "job.output" && e.job === "web" && e.line === "two",
    "web output",
  );
  const status = await call(sup.web.app, "GET", "/api/status");
  equal(status.status, 200);
  const body = status.json as { jobs: { name: string; state: string }[]; apps: unknown[] };
  deepStrictEqual(body.jobs.map((j) => [j.name, j.state]), [["web", "running"], [
    "off",
    "stopped",
  ]]);
  deepStrictEqual(body.apps, []);
  const one = await call(sup.web.app, "GET", "/api/jobs/web");
  equal((one.json as { pid: number }).pid, sup.api.jobStatus("web")?.pid);
  deepStrictEqual(await call(sup.web.app, "GET", "/api/jobs/web/output?lines=1"), {
    status: 200,
    json: { job: "web", lines: ["two"] },
  });
  deepStrictEqual(await call(sup.web.app, "GET", "/api/jobs/web/output?lines=0"), {
    status: 400,
    json: { error: 'lines: "0" is not a line count (whole number 1-1000)' },
  });
  for (const [method, path] of [["GET", "/api/jobs/nope"], ["POST", "/api/jobs/nope/start"]]) {
    deepStrictEqual(await call(sup.web.app, method, path), {
      status: 404,
      json: { error: 'No job named "nope"' },
    });
  }
  deepStrictEqual(await call(sup.web.app, "GET", "/nowhere"), {
    status: 404,
    json: { error: "No route for GET /nowhere" },
  });
});

Deno.test("POST /api/jobs/:name/heartbeat marks a running job ready; 409 when it is not running", async () => {
  await using sup = await liveSup();
  await sup.log.waitFor((e) => e.type === "job.spawned" && e.job === "web", "web spawned");
  const ok204 = await sup.web.app.request("/api/jobs/web/heartbeat", { method: "POST" });
  equal(ok204.status, 204);
  await sup.log.waitFor((e) => e.type === "job.ready" && e.job === "web", "web ready");
  const stopped = await call(sup.web.app, "POST", "/api/jobs/off/heartbeat");
  equal(stopped.status, 409);
  match((stopped.json as { error: string }).error, /"off" is not running/);
  equal((await call(sup.web.app, "POST", "/api/jobs/nope/heartbeat")).status, 404);
});

Deno.test("start, stop and restart go through the supervisor with reason manual", async () => {
  await using sup = await liveSup();
  const first = await sup.log.waitFor<EventOf<"job.spawned">>(
    (e) => e.type === "job.spawned" && e.job === "web",
    "web spawned",
  );
  const started = await call(sup.web.app, "POST", "/api/jobs/off/start");
  equal(started.status, 200);
  await sup.log.waitFor((e) => e.type === "job.spawned" && e.job === "off", "off spawned");
  const stopped = await call(sup.web.app, "POST", "/api/jobs/off/stop");
  deepStrictEqual([stopped.status, (stopped.json as { state: string }).state], [200, "stopped"]);
  equal((await call(sup.web.app, "POST", "/api/jobs/web/restart")).status, 200);
  const second = await sup.log.waitFor<EventOf<"job.spawned">>(
    (e) => e.type === "job.spawned" && e.job === "web" && e.pid !== first.pid,
    "web spawned again",
  );
  ok(second.pid > 0);
  const actions = sup.log.events.flatMap((e) =>
    e.type === "job.action" && e.reason.source !== "config"
      ? [[e.job, e.action, e.reason.source]]
      : []
  );
  deepStrictEqual(actions, [
    ["off", "start", "manual"],
    ["off", "stop", "manual"],
    ["web", "restart", "manual"],
  ]);
});

Deno.test("self-registration over HTTP: register, refresh, unregister, with 400s naming the field", async () => {
  await using sup = await liveSup();
  const created = await call(sup.web.app, "POST", "/api/apps", {
    name: "kiosk-browser",
    timeout: "10s",
    action: "none",
    pid: Deno.pid,
  });
  equal(created.status, 201);
  const app = created.json as { id: string; timeoutMs: number; action: string; pid: number };
  deepStrictEqual([app.timeoutMs, app.action, app.pid], [10_000, "none", Deno.pid]);
  const listed = await call(sup.web.app, "GET", "/api/status");
  deepStrictEqual((listed.json as { apps: { id: string }[] }).apps.map((a) => a.id), [app.id]);
  equal((await sup.web.app.request(`/api/apps/${app.id}/refresh`, { method: "POST" })).status, 204);
  equal((await sup.web.app.request(`/api/apps/${app.id}`, { method: "DELETE" })).status, 204);
  deepStrictEqual(await call(sup.web.app, "DELETE", `/api/apps/${app.id}`), {
    status: 404,
    json: { error: `No registered app with id "${app.id}"` },
  });
  equal((await call(sup.web.app, "POST", "/api/apps/nope/refresh")).status, 404);
  const bad: Array<[unknown, RegExp]> = [
    ["{not json", /Body is not JSON/],
    [{ name: "k", timeout: "10 parsecs", action: "none" }, /^timeout: "10 parsecs"/],
    [{ name: "k", timeout: 1000, action: "explode" }, /^action: "explode"/],
    [{ name: "k", timeout: 1000, action: "restart" }, /^restartCommand: required/],
    [{ timeout: 1000, action: "none" }, /^name: undefined/],
  ];
  for (const [body, pattern] of bad) {
    const answer = await call(sup.web.app, "POST", "/api/apps", body);
    equal(answer.status, 400, JSON.stringify(body));
    match((answer.json as { error: string }).error, pattern);
  }
  const huge = await call(sup.web.app, "POST", "/api/apps", { name: "k", pad: "x".repeat(70_000) });
  equal(huge.status, 413);
});

Deno.test("a write from a web page of another origin is refused; programs and same-origin pages are served", async () => {
  await using sup = await liveSup();
  await sup.log.waitFor((e) => e.type === "job.spawned" && e.job === "web", "web spawned");
  const host = `127.0.0.1:${sup.ports.http}`;
  const fromPage = await call(
    {
      request: (path, init) =>
        sup.web.app.request(path, { ...init, headers: { origin: "http://evil.example", host } }),
    },
    "POST",
    "/api/jobs/web/stop",
  );
  equal(fromPage.status, 403);
  match((fromPage.json as { error: string }).error, /cross-origin writes are not allowed/);
  equal(sup.api.jobStatus("web")?.state, "running");
  const fromFile = await sup.web.app.request("/api/jobs/web/heartbeat", {
    method: "POST",
    headers: { origin: "null", host },
  });
  equal(fromFile.status, 403);
  await fromFile.body?.cancel();
  // Reads are not writes.
  const read = await sup.web.app.request("/config", {
    headers: { origin: "http://evil.example", host },
  });
  equal(read.status, 200);
  await read.body?.cancel();
  // The panel's own page (same host) and programs (no Origin) may write.
  const samePage = await sup.web.app.request("/api/jobs/web/heartbeat", {
    method: "POST",
    headers: { origin: `http://${host}`, host },
  });
  equal(samePage.status, 204);
  equal((await sup.web.app.request("/api/jobs/web/heartbeat", { method: "POST" })).status, 204);
});
