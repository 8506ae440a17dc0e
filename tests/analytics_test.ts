/**
 * App events to GA4's Measurement Protocol, against a local HTTP server
 * standing in for www.google-analytics.com: the URL and body GA4 expects,
 * batches of at most 25, retries of a failing endpoint, a refused batch
 * dropped, and a hanging endpoint that never holds up the emitter (bounded
 * queue). End to end through `sup run`: an app's `/event` reaches the
 * endpoint.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { ResolvedConfig } from "../src/config/resolved.ts";
import { EventBus } from "../src/core/event_bus.ts";
import { Analytics } from "../src/notify/analytics.ts";
import { resolvedConfig, resolvedJob } from "../src/testing/resolved_job.ts";
import { until } from "../src/testing/wait.ts";
import { type Answer, startHttpRecorder } from "./support/http_recorder.ts";
import { startSupProcess } from "./support/sup_run.ts";
import { udpClient } from "./support/udp_client.ts";
import { encodeOscMessage } from "../src/channels/osc_encode.ts";

interface Body {
  client_id: string;
  events: { name: string; params: Record<string, unknown>; timestamp_micros: number }[];
}

function config(endpoint: string, fields: Partial<NonNullable<ResolvedConfig["analytics"]>> = {}) {
  const base = resolvedConfig([resolvedJob("kiosk", ["x"])]);
  return {
    ...base,
    analytics: {
      measurementId: "G-TEST1234",
      apiSecret: "s3cret",
      endpoint: `${endpoint}/mp/collect`,
      clientId: "kiosk-3",
      intervalMs: 100,
      ...fields,
    },
  };
}

function emitEvents(bus: EventBus, n: number, from = 0): void {
  for (let i = from; i < from + n; i++) {
    bus.emit({
      type: "app.event",
      job: "kiosk",
      category: "touch",
      action: "tap",
      label: `button ${i}`,
      value: i,
      at: Date.now(),
    });
  }
}

Deno.test("app events reach GA4's collect endpoint in batches of at most 25, with GA4's URL and body", async () => {
  await using server = startHttpRecorder();
  const bus = new EventBus();
  const analytics = new Analytics(bus);
  analytics.apply(config(server.url));
  emitEvents(bus, 60);
  await until(() => analytics.stats.sent === 60, "60 events sent", 5_000);
  await analytics.close();
  deepStrictEqual(server.requests.map((r) => r.method), ["POST", "POST", "POST"]);
  equal(server.requests[0].path, "/mp/collect?measurement_id=G-TEST1234&api_secret=s3cret");
  equal(server.requests[0].headers.get("content-type"), "application/json");
  const bodies = server.json<Body>();
  deepStrictEqual(bodies.map((b) => b.events.length), [25, 25, 10]);
  equal(bodies[0].client_id, "kiosk-3");
  const first = bodies[0].events[0];
  equal(first.name, "tap");
  deepStrictEqual(
    { ...first.params, session_id: typeof first.params.session_id },
    {
      event_category: "touch",
      event_label: "button 0",
      value: 0,
      job: "kiosk",
      session_id: "string",
      engagement_time_msec: 1,
    },
  );
  ok(Math.abs(first.timestamp_micros / 1000 - Date.now()) < 10_000, "timestamp in microseconds");
  deepStrictEqual(
    bodies.flatMap((b) => b.events.map((e) => e.params.value)),
    Array.from({ length: 60 }, (_, i) => i),
    "every event once, in order",
  );
});

Deno.test("a failing endpoint is tried again with a growing delay; a batch refused for good is dropped", async () => {
  await using server = startHttpRecorder();
  const answers: Answer[] = [{ status: 500 }, { status: 503, headers: { "retry-after": "0" } }];
  server.answer = () => answers.shift() ?? { status: 204 };
  const bus = new EventBus();
  const analytics = new Analytics(bus, { retryMs: 50 });
  analytics.apply(config(server.url, { intervalMs: 0 }));
  emitEvents(bus, 3);
  await until(() => analytics.stats.sent === 3, "sent after two failures", 5_000);
  equal(server.requests.length, 3);
  deepStrictEqual(server.requests.map((r) => r.body), Array(3).fill(server.requests[0].body));

  server.answer = () => ({ status: 400, body: '{"error":"bad"}' });
  emitEvents(bus, 2, 3);
  await until(() => analytics.stats.dropped === 2, "the refused batch is dropped", 5_000);
  server.answer = () => ({ status: 204 });
  emitEvents(bus, 1, 5);
  await until(() => analytics.stats.sent === 4, "later events go out", 5_000);
  await analytics.close();
});

Deno.test("a hanging endpoint never holds up the emitter: at most 1,000 events wait", async () => {
  await using server = startHttpRecorder();
  const release = Promise.withResolvers<Answer>();
  server.answer = () => release.promise;
  const bus = new EventBus();
  const analytics = new Analytics(bus);
  analytics.apply(config(server.url, { intervalMs: 0 }));
  const started = performance.now();
  emitEvents(bus, 5_000);
  const ms = performance.now() - started;
  console.log(`5,000 app events emitted in ${ms.toFixed(1)} ms with the endpoint hanging`);
  ok(ms < 500, `emitting took ${ms}ms`);
  await until(() => server.requests.length === 1, "the first batch is in flight");
  equal(analytics.stats.dropped, 5_000 - 25 - 1_000);
  release.resolve({ status: 204 });
  await analytics.idle();
  equal(analytics.stats.sent, 1_025);
  await analytics.close();
});

Deno.test("apiSecret from the environment; unset, analytics stay off and say why", async () => {
  await using server = startHttpRecorder();
  const bus = new EventBus();
  const env = new Map([["GA_SECRET", "from-env"]]);
  const analytics = new Analytics(bus, { env: (name) => env.get(name) });
  analytics.apply(config(server.url, { apiSecret: { env: "GA_SECRET" }, intervalMs: 0 }));
  emitEvents(bus, 1);
  await until(() => analytics.stats.sent === 1, "sent");
  ok(server.requests[0].path.endsWith("api_secret=from-env"));
  env.delete("GA_SECRET");
  analytics.apply(config(server.url, { apiSecret: { env: "GA_SECRET" }, intervalMs: 0 }));
  equal(bus.hasListeners("app.event"), false);
  await analytics.close();
});

Deno.test("sup run: an app's /event over OSC reaches the GA4 endpoint", async () => {
  await using server = startHttpRecorder();
  await using sup = await startSupProcess(() => ({
    analytics: {
      measurementId: "G-TEST1234",
      apiSecret: "s3cret",
      endpoint: `${server.url}/mp/collect`,
      interval: "100ms",
    },
    jobs: { idle: { cmd: "sleep 300" } },
  }));
  await using app = await udpClient();
  await app.send(
    encodeOscMessage("/event", ["visitor", "start show", "hall A", 1, "idle"]),
    sup.ports.osc,
  );
  await until(() => server.requests.length > 0, "GA4 request", 10_000);
  const [body] = server.json<Body>();
  equal(body.events[0].name, "start_show");
  deepStrictEqual(
    [body.events[0].params.event_category, body.events[0].params.event_label],
    ["visitor", "hall A"],
  );
});
