import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import type { MiddlewareHandler } from "hono";
import type { AppReply } from "../apps/app_command.ts";
import { jobStatus, RecordingApi } from "../testing/recording_api.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { createHttpApp } from "./http_app.ts";
import { MetricsCounters } from "./metrics_counters.ts";
import { MetricsEndpoint } from "./metrics_routes.ts";
import { requireOperatorToken } from "./operator_token.ts";

const TOKEN = { token: "secret-token", path: "/run/sup/x.token" };

function setup(metrics: "open" | "token" = "open", guard = true) {
  const config = resolvedConfig([resolvedJob("web", ["x"]), resolvedJob("db", ["y"])]);
  config.network.http.metrics = metrics;
  const api = new RecordingApi(config);
  let beat: number | null = null;
  const endpoint = new MetricsEndpoint({
    api,
    counters: new MetricsCounters(api.bus),
    lastHeartbeat: (job) => job === "web" ? beat : null,
    channels: () => ({
      osc: { received: 7, heartbeats: 5, rejectedBy: { "not-osc": 2 } },
      control: { received: 3, heartbeats: null, rejectedBy: {} },
    }),
    operatorGuard: guard ? requireOperatorToken(TOKEN) : undefined,
  });
  const locked: MiddlewareHandler = (c) => Promise.resolve(c.json({ error: "locked" }, 401));
  const app = createHttpApp({
    api,
    handle: (): AppReply => ({ type: "ok" }),
    listApps: () => [],
    operatorGuard: locked,
  });
  app.route("/", endpoint.routes);
  return { api, app, endpoint, setBeat: (at: number) => beat = at };
}

const bearer = { headers: { Authorization: `Bearer ${TOKEN.token}` } };

Deno.test("/metrics is loaded on its first read, served beside the operator routes without their guard", async () => {
  const { api, app, endpoint } = setup();
  equal(endpoint.loaded, false, "nothing loaded before a scrape");
  equal((await app.request("/api/status")).status, 401, "the operator side keeps its guard");
  api.statuses.set("web", jobStatus("web", { state: "running", pid: 1, startedAt: Date.now() }));
  const response = await app.request("/metrics");
  equal(response.status, 200);
  equal(endpoint.loaded, true);
  match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  match(text, /^# HELP sup_job_state /m);
  match(text, /^sup_job_state\{name="web",state="running"\} 1$/m);
  match(text, /^sup_job_state\{name="web",state="stopped"\} 0$/m);
  match(text, /^sup_job_up\{name="web"\} 1$/m);
  match(text, /^sup_channel_heartbeats_total\{channel="osc"\} 5$/m);
  match(text, /^sup_channel_rejected_total\{channel="osc",reason="not-osc"\} 2$/m);
  match(text, /^sup_channel_received_total\{channel="control"\} 3$/m);
  ok(
    !/sup_channel_heartbeats_total\{channel="control"\}/.test(text),
    "control carries no heartbeats",
  );
  match(text, /^sup_resident_memory_bytes \d+/m);
  match(text, /^sup_uptime_seconds [\d.]+$/m);
  match(text, /^sup_event_loop_lag_seconds [\d.e-]+$/m);
  await endpoint.close();
});

Deno.test("restarts, heartbeat age and removed jobs follow events and runs", async () => {
  const { api, app, endpoint, setBeat } = setup();
  api.statuses.set("web", jobStatus("web", { state: "running", pid: 11, startedAt: Date.now() }));
  api.statuses.set("db", jobStatus("db", { state: "fatal" }));
  for (
    const [from, to, source] of [["stopped", "starting", "config"], [
      "running",
      "starting",
      "crash",
    ]] as const
  ) {
    api.bus.emit({
      type: "job.state",
      job: "web",
      from,
      to,
      pid: null,
      reason: { source },
      code: null,
      signal: null,
      uptimeMs: null,
      at: Date.now(),
    });
  }
  api.spawned("web", 11, Date.now() - 5000);
  setBeat(Date.now() - 2500);
  api.bus.emit({
    type: "notify.failed",
    notifier: "mail",
    subject: "s",
    error: "e",
    willRetry: true,
    at: 1,
  });
  let text = await (await app.request("/metrics")).text();
  match(text, /^sup_job_restarts_total\{name="web",reason="crash"\} 1$/m);
  const age = Number(
    /^sup_job_last_heartbeat_age_seconds\{name="web"\} ([\d.]+)$/m.exec(text)?.[1],
  );
  ok(age >= 2.5 && age < 10, `heartbeat age ${age}`);
  ok(!/sup_job_last_heartbeat_age_seconds\{name="db"\}/.test(text));
  match(text, /^sup_job_state\{name="db",state="fatal"\} 1$/m);
  match(text, /^sup_notifications_failed_total\{notifier="mail"\} 1$/m);

  // A beat from before the current run is not this run's.
  setBeat(Date.now() - 60_000);
  text = await (await app.request("/metrics")).text();
  ok(!/sup_job_last_heartbeat_age_seconds\{name="web"\}/.test(text));

  // A job removed from the config: its series are gone at the next scrape.
  api.statuses.delete("web");
  api.bus.emit({ type: "config.reloaded", added: [], removed: ["web"], changed: [], at: 1 });
  text = await (await app.request("/metrics")).text();
  ok(!/name="web"/.test(text), text);
  await endpoint.close();
});

Deno.test('network.http.metrics "token" puts /metrics and /healthz behind the operator token', async () => {
  const { api, app, endpoint } = setup("token");
  for (const path of ["/metrics", "/healthz"]) {
    const refused = await app.request(path);
    equal(refused.status, 401, path);
    match((await refused.json()).error, /operator route/);
    equal(endpoint.loaded, false, "a refused scrape loads nothing");
  }
  equal((await app.request("/metrics", bearer)).status, 200);
  // Read per request: a reload back to "open" applies at once.
  api.config().network.http.metrics = "open";
  equal((await app.request("/healthz")).status, 503); // open again (and sup not started yet)
  await endpoint.close();
});

Deno.test("/healthz: 503 starting, 200 running with job counts, 503 stopping", async () => {
  const { api, app, endpoint } = setup();
  let response = await app.request("/healthz");
  equal(response.status, 503);
  equal((await response.json()).status, "starting");
  api.statuses.set("web", jobStatus("web", { state: "running", pid: 1, ready: true }));
  api.statuses.set("db", jobStatus("db", { state: "fatal", disabled: true }));
  api.bus.emit({ type: "sup.started", pid: Deno.pid, config: "c", modes: [], at: 1 });
  response = await app.request("/healthz");
  equal(response.status, 200);
  const body = await response.json();
  equal(body.status, "ok");
  equal(body.pid, Deno.pid);
  deepStrictEqual(body.jobs, { total: 2, running: 1, ready: 1, fatal: 1, disabled: 1 });
  api.bus.emit({ type: "sup.stopping", signal: "SIGTERM", at: 1 });
  response = await app.request("/healthz");
  deepStrictEqual([response.status, (await response.json()).status], [503, "stopping"]);
  await endpoint.close();
});
