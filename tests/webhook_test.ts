/**
 * The webhook built-in against a local HTTP server standing in for Slack's
 * and Discord's incoming webhooks: bodies shaped as each accepts (Slack's
 * `{ text }`, Discord's `{ content }` of at most 2,000 characters), batches,
 * job selection, retries of a failing endpoint (5xx, 429 with
 * `retry_after`), a refused message given up, the bounded queue, secrets
 * from the environment, and the webhook as a notifier.
 */

import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { DEFAULT_WEBHOOK_EVENTS, WEBHOOK_KIND } from "../src/config/listener_webhook.ts";
import type { ResolvedWebhook } from "../src/config/listener_webhook.ts";
import { Fields } from "../src/config/fields.ts";
import { IssueList } from "../src/config/config_error.ts";
import { EventBus } from "../src/core/event_bus.ts";
import type { SupEvent } from "../src/core/events.ts";
import { NotifierHub } from "../src/core/notifier_hub.ts";
import { createTestContext } from "../src/testing/listener_context.ts";
import { resolvedConfig, resolvedJob } from "../src/testing/resolved_job.ts";
import { until } from "../src/testing/wait.ts";
import { WebhookListener } from "../src/notify/webhook.ts";
import { registerWebhookNotifiers, WebhookNotifier } from "../src/notify/webhook_notifiers.ts";
import { WebhookSender } from "../src/notify/webhook_sender.ts";
import { type Answer, startHttpRecorder } from "./support/http_recorder.ts";

const JOBS = [
  resolvedJob("web", ["x"], { groups: ["front"] }),
  resolvedJob("kiosk", ["x"], { groups: ["front"] }),
  resolvedJob("batch", ["x"]),
];

/** The options `webhook({...})` resolves to (through the real validator). */
function options(descriptor: Record<string, unknown>): ResolvedWebhook {
  const issues = new IssueList();
  const resolved = WEBHOOK_KIND.read(new Fields(descriptor, "listeners[0]", issues), {
    jobs: JOBS,
    dir: "/srv",
    partial: false,
  });
  deepStrictEqual(issues.items, []);
  return resolved;
}

function exited(
  job: string,
  fields: Partial<Extract<SupEvent, { type: "job.exited" }>> = {},
): SupEvent {
  return {
    type: "job.exited",
    job,
    pid: 4242,
    code: 1,
    signal: null,
    uptimeMs: 3_200,
    expected: false,
    stderrTail: ["Error: <boom> & bust", "at main.js:3"],
    at: Date.now(),
    ...fields,
  };
}

Deno.test("slack: one { text } message per event, in Slack's mrkdwn, only the selected jobs and unexpected exits", async () => {
  await using server = startHttpRecorder();
  const t = createTestContext({ name: "slack", jobs: JOBS });
  const hook = new WebhookListener(
    options({ url: `${server.url}/services/T0/B0/x`, preset: "slack", jobs: "group:front" }),
    t.ctx,
  );
  deepStrictEqual(hook.on, DEFAULT_WEBHOOK_EVENTS);
  hook.handle(exited("web"));
  hook.handle(exited("batch")); // not selected
  hook.handle(exited("kiosk", { expected: true })); // sup stopped it
  hook.handle({
    type: "config.invalid",
    source: "/srv/sup.ts",
    errors: ["a", "b"],
    at: Date.now(),
  });
  await until(() => hook.stats.sent === 2, "two messages");
  await hook.close();
  const [first, second] = server.json<{ text: string }>();
  deepStrictEqual(Object.keys(first), ["text"]);
  const lines = first.text.split("\n");
  match(lines[0], /^\*sup on .+\*$/);
  match(
    lines[1],
    /^\d\d:\d\d:\d\d job "web" exited with code 1 after 3\.2s; last stderr: Error: &lt;boom&gt; &amp; bust \| at main\.js:3$/,
  );
  match(
    second.text,
    /config "\/srv\/sup\.ts" is invalid \(the running config stays\): a \(and 1 more\)/,
  );
  equal(server.requests[0].path, "/services/T0/B0/x");
  equal(server.requests[0].headers.get("content-type"), "application/json");
});

Deno.test("discord: a batch per interval in { content } messages of at most 2,000 characters, no pings", async () => {
  await using server = startHttpRecorder();
  const t = createTestContext({ name: "discord", jobs: JOBS });
  const hook = new WebhookListener(
    options({ url: `${server.url}/api/webhooks/1/abc`, preset: "discord", interval: "150ms" }),
    t.ctx,
  );
  hook.handle(exited("web", { stderrTail: ["@everyone look"] }));
  hook.handle(exited("kiosk"));
  await until(() => hook.stats.sent === 1, "one batched message");
  const [batch] = server.json<{ content: string; allowed_mentions: unknown }>();
  deepStrictEqual(batch.allowed_mentions, { parse: [] });
  const lines = batch.content.split("\n");
  match(lines[0], /^\*\*sup on .+: 2 events\*\*$/);
  equal(lines.length, 3);

  // A burst too long for one message: split into parts of at most 2,000 characters, five at most.
  const long = "x".repeat(400);
  for (let i = 0; i < 60; i++) hook.handle(exited("web", { stderrTail: [`${i} ${long}`] }));
  await until(() => hook.stats.sent === 6, "five more messages");
  await hook.close();
  const parts = server.json<{ content: string }>().slice(1).map((b) => b.content);
  equal(parts.length, 5);
  for (const part of parts) ok(part.length <= 2_000, `${part.length} characters`);
  match(parts[0].split("\n")[0], /: 60 events\*\* \(part 1\/5\)$/);
  match(parts[4], /… and \d+ more$/);
});

Deno.test("json: the events as sup emits them, with a text summary", async () => {
  await using server = startHttpRecorder();
  const t = createTestContext({ name: "ops", jobs: JOBS });
  const hook = new WebhookListener(
    options({ url: `${server.url}/hook`, on: ["job.fatal"] }),
    t.ctx,
  );
  const fatal: SupEvent = { type: "job.fatal", job: "batch", message: "died 5 times", at: 1 };
  const handled = performance.now();
  hook.handle(fatal);
  await until(() => hook.stats.sent === 1, "one message");
  console.log(`event → POST at the endpoint: ${(server.requests[0].at - handled).toFixed(1)} ms`);
  await hook.close();
  const [body] = server.json<{ host: string; text: string; events: SupEvent[] }>();
  deepStrictEqual(body.events, [fatal]);
  match(body.text, /job "batch" is fatal: died 5 times$/);
  equal(typeof body.host, "string");
});

Deno.test("a failing endpoint is retried with backoff (5xx, 429 with Discord's retry_after); order is kept", async () => {
  await using server = startHttpRecorder();
  const answers: Answer[] = [
    { status: 502 },
    { status: 429, body: '{"message":"You are being rate limited.","retry_after":0.05}' },
  ];
  server.answer = () => answers.shift() ?? { status: 204 };
  const bus = new EventBus();
  const events: SupEvent[] = [];
  bus.onAny((e) => events.push(e));
  const sender = new WebhookSender({
    name: "webhook:test",
    url: `${server.url}/hook`,
    bus,
    log: { info() {}, warn() {}, error() {} },
    retryMs: 20,
  });
  const first = sender.send({ subject: "one", body: '{"text":"one"}' });
  const second = sender.send({ subject: "two", body: '{"text":"two"}' });
  deepStrictEqual(await first, { notifier: "webhook:test", ok: true, detail: "HTTP 204" });
  equal((await second).ok, true);
  deepStrictEqual(server.requests.map((r) => r.body), [
    '{"text":"one"}',
    '{"text":"one"}',
    '{"text":"one"}',
    '{"text":"two"}',
  ]);
  deepStrictEqual(
    events.map((e) => e.type === "notify.failed" ? `failed ${e.willRetry}` : e.type),
    [
      "failed true",
      "failed true",
      "notify.sent",
      "notify.sent",
    ],
  );
  equal((events[2] as Extract<SupEvent, { type: "notify.sent" }>).attempts, 3);
  await sender.close();
});

Deno.test("a message the endpoint refuses (4xx) is given up at once; past 100 waiting the oldest is dropped", async () => {
  await using server = startHttpRecorder();
  server.answer = () => ({ status: 404, body: "no_service" });
  const errors: string[] = [];
  const bus = new EventBus();
  const dropped: SupEvent[] = [];
  bus.on("notify.dropped", (e) => dropped.push(e));
  const sender = new WebhookSender({
    name: "webhook:test",
    url: `${server.url}/gone`,
    bus,
    log: { info() {}, warn() {}, error: (m) => errors.push(m) },
  });
  const refused = await sender.send({ subject: "s", body: "{}" });
  deepStrictEqual(refused, { notifier: "webhook:test", ok: false, error: "HTTP 404: no_service" });
  match(errors[0], /gave up on "s" \(refused\): HTTP 404: no_service/);

  const release = Promise.withResolvers<Answer>();
  server.answer = () => release.promise;
  const deliveries = Array.from(
    { length: 150 },
    (_, i) => sender.send({ subject: `m${i}`, body: "{}" }),
  );
  equal(sender.queued, 100);
  equal(dropped.length, 50);
  deepStrictEqual(await deliveries[1], {
    notifier: "webhook:test",
    ok: false,
    error: "dropped: too many messages waiting",
  });
  release.resolve({ status: 204 });
  server.answer = () => ({ status: 204 });
  equal((await deliveries[149]).ok, true);
  equal(sender.stats.sent, 100);
  await sender.close();
});

Deno.test("the url and headers may come from the environment; a missing variable is named", async () => {
  await using server = startHttpRecorder();
  Deno.env.set("SUP_TEST_HOOK_URL", `${server.url}/hook`);
  Deno.env.set("SUP_TEST_HOOK_TOKEN", "Bearer t0ken");
  try {
    const t = createTestContext({ name: "ops", jobs: JOBS });
    const hook = new WebhookListener(
      options({
        url: { env: "SUP_TEST_HOOK_URL" },
        headers: { Authorization: { env: "SUP_TEST_HOOK_TOKEN" }, "X-Kiosk": "3" },
      }),
      t.ctx,
    );
    hook.handle(exited("web"));
    await until(() => hook.stats.sent === 1, "sent");
    await hook.close();
    equal(server.requests[0].headers.get("authorization"), "Bearer t0ken");
    equal(server.requests[0].headers.get("x-kiosk"), "3");
    Deno.env.delete("SUP_TEST_HOOK_TOKEN");
    let thrown = "";
    try {
      new WebhookListener(
        options({
          url: { env: "SUP_TEST_HOOK_URL" },
          headers: { Authorization: { env: "SUP_TEST_HOOK_TOKEN" } },
        }),
        t.ctx,
      );
    } catch (error) {
      thrown = String(error);
    }
    match(
      thrown,
      /the environment variable SUP_TEST_HOOK_TOKEN \(headers\.Authorization\) is not set/,
    );
  } finally {
    Deno.env.delete("SUP_TEST_HOOK_URL");
    Deno.env.delete("SUP_TEST_HOOK_TOKEN");
  }
});

Deno.test("the webhook is a notifier: notifications as Slack messages, sup notify test, its own notify.* events ignored", async () => {
  await using server = startHttpRecorder();
  const notifier = new WebhookNotifier(
    "slack",
    options({ url: `${server.url}/s`, preset: "slack" }),
    null,
  );
  equal(notifier.name, "webhook:slack");
  const delivery = await notifier.send({
    subject: "Rebooting kiosk-3",
    body: "Why: heartbeat\nCommand: systemctl reboot",
  });
  deepStrictEqual(delivery, { notifier: "webhook:slack", ok: true, detail: "HTTP 204" });
  deepStrictEqual(server.json(), [{
    text: "*Rebooting kiosk-3*\nWhy: heartbeat\nCommand: systemctl reboot",
  }]);
  await notifier.close();

  // sup notify test: one try now; a webhook whose URL variable is unset says so.
  const config = {
    ...resolvedConfig(JOBS),
    listeners: [
      {
        type: "builtin" as const,
        kind: "webhook",
        name: "ops",
        options: { ...options({ url: `${server.url}/t` }) },
        timeoutMs: 10_000,
        queueSize: 1000,
      },
      {
        type: "builtin" as const,
        kind: "webhook",
        name: "chat",
        options: { ...options({ url: { env: "SUP_TEST_UNSET_URL" } }) },
        timeoutMs: 10_000,
        queueSize: 1000,
      },
    ],
  };
  const hub = new NotifierHub();
  await registerWebhookNotifiers(config, hub);
  const results = await Promise.all(
    hub.list().map((n) => n.test({ subject: "Test", body: "hello" })),
  );
  deepStrictEqual(results.map((r) => [r.notifier, r.ok]), [["webhook:ops", true], [
    "webhook:chat",
    false,
  ]]);
  match(results[1].ok ? "" : results[1].error, /SUP_TEST_UNSET_URL \(url\) is not set/);

  // A listener on notify.* never posts about its own deliveries (a failing one would loop).
  const t = createTestContext({ name: "loop", jobs: JOBS });
  const hook = new WebhookListener(options({ url: `${server.url}/l`, on: ["notify.*"] }), t.ctx);
  hook.handle({
    type: "notify.failed",
    notifier: "webhook:loop",
    subject: "x",
    error: "e",
    willRetry: true,
    at: 1,
  });
  hook.handle({
    type: "notify.failed",
    notifier: "mail",
    subject: "x",
    error: "e",
    willRetry: true,
    at: 1,
  });
  await until(() => hook.stats.sent === 1, "one post, about mail");
  await hook.close();
  match(server.requests.at(-1)!.body, /notifier \\"mail\\" failed/);
});
