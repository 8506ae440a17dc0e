import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import type { EventOf } from "../src/core/events.ts";
import { startLiveSup } from "./support/live_sup.ts";
import { openSocket } from "./support/ws.ts";
import { rawRequest } from "./support/raw_http.ts";

const heartbeat = { timeoutMs: 30_000, startupTimeoutMs: 60_000, action: "restart" as const };

Deno.test("a flood of bad WebSocket frames is answered, counted, and leaves the connection and sup working", async () => {
  await using sup = await startLiveSup({
    jobs: () => [resolvedJob("web", ["sleep", "300"], { heartbeat })],
    app: { screen: 2 },
  });
  await sup.log.waitFor((e) => e.type === "job.spawned" && e.job === "web", "web spawned");
  await using socket = await openSocket(`${sup.wsUrl}?job=web`);
  const bad: Array<string | Uint8Array> = [
    "not json",
    "{",
    "[]",
    "42",
    '{"type":"fly"}',
    '{"type":"log","level":7,"message":"x"}',
    '{"type":"event","category":"a","action":"b","value":"NaN"}',
    '{"type":"heart","job":{}}',
    JSON.stringify({ type: "log", level: "info", message: "x".repeat(70 * 1024) }),
    new Uint8Array([0xff, 0x00, 0x13]),
  ];
  const rounds = 300;
  for (let i = 0; i < rounds; i++) for (const frame of bad) socket.ws.send(frame);
  // The connection still answers, in order, after the flood.
  const answer = await socket.request({ type: "configRequest", ref: "after-flood" });
  deepStrictEqual(answer, { type: "config", data: { screen: 2 }, ref: "after-flood" });
  const stats = sup.ws.stats();
  equal(stats.badFrames, rounds * bad.length);
  equal(stats.connections, 1);
  const errors = socket.received.filter((f) => f.type === "error");
  ok(errors.length >= 1, "bad frames get error frames");
  ok(errors.length <= 20 * 10, `error frames are rate-limited, got ${errors.length}`);
  ok(errors.some((f) => /not JSON/.test(String(f.error))));
  // sup still works: the job runs and a heartbeat on the same connection is accepted.
  socket.ws.send('{"type":"heart"}');
  await sup.log.waitFor((e) => e.type === "job.ready" && e.job === "web", "web ready");
  equal(sup.api.jobStatus("web")?.state, "running");
  deepStrictEqual(stats.rejectedBy, {
    "not-json": 2 * rounds,
    "bad-frame": 6 * rounds,
    oversized: rounds,
    binary: rounds,
  });
  // Reported once per reason, not once per frame.
  const reported = sup.log.events.filter((e) => e.type === "channel.rejected");
  deepStrictEqual(
    reported.map((e) => e.type === "channel.rejected" && e.reason.split(":")[0]).sort(),
    ["bad-frame", "binary", "not-json", "oversized"],
  );
});

Deno.test("WebSocket frames become app.log, app.event and app.message events, and messages are relayed", async () => {
  await using sup = await startLiveSup({
    jobs: () => [
      resolvedJob("kiosk", ["sleep", "300"], { heartbeat }),
      resolvedJob("screen", ["sleep", "300"]),
    ],
  });
  await using kiosk = await openSocket(`${sup.wsUrl}?job=kiosk`);
  await using screen = await openSocket(`${sup.wsUrl}?job=screen`);
  await using anon = await openSocket(sup.wsUrl);
  kiosk.ws.send(JSON.stringify({ type: "log", level: "warning", message: "low disk" }));
  kiosk.ws.send(
    JSON.stringify({ type: "event", category: "ui", action: "tap", label: "start", value: 2 }),
  );
  kiosk.ws.send(JSON.stringify({ type: "message", to: "screen", data: { show: "slide 3" } }));
  const log = await sup.log.waitFor((e) => e.type === "app.log", "app.log");
  deepStrictEqual({ ...log, at: 0 }, {
    type: "app.log",
    at: 0,
    job: "kiosk",
    level: "warning",
    message: "low disk",
  });
  const event = await sup.log.waitFor((e) => e.type === "app.event", "app.event");
  deepStrictEqual({ ...event, at: 0 }, {
    type: "app.event",
    at: 0,
    job: "kiosk",
    category: "ui",
    action: "tap",
    label: "start",
    value: 2,
  });
  const relayed = await screen.next((f) => f.type === "message");
  deepStrictEqual(relayed, {
    type: "message",
    from: "kiosk",
    to: "screen",
    data: { show: "slide 3" },
  });
  await sup.log.waitFor(
    (e) => e.type === "app.message" && e.channel === "websocket" && e.address === "screen",
    "app.message",
  );
  // "*" reaches every other connection, not the sender.
  screen.ws.send(JSON.stringify({ type: "message", to: "*", data: "hello all" }));
  deepStrictEqual(await kiosk.next((f) => f.type === "message"), {
    type: "message",
    from: "screen",
    to: "*",
    data: "hello all",
  });
  deepStrictEqual(await anon.next((f) => f.type === "message"), {
    type: "message",
    from: "screen",
    to: "*",
    data: "hello all",
  });
  equal(screen.received.filter((f) => f.type === "message" && f.from === "screen").length, 0);
});

Deno.test("a restart frame restarts the job through the supervisor with reason app", async () => {
  await using sup = await startLiveSup({
    jobs: () => [resolvedJob("kiosk", ["sleep", "300"], { heartbeat, killTimeoutMs: 2000 })],
  });
  const first = await sup.log.waitFor<EventOf<"job.spawned">>(
    (e) => e.type === "job.spawned" && e.job === "kiosk",
    "first spawn",
  );
  await using socket = await openSocket(`${sup.wsUrl}?job=kiosk`);
  const mark = sup.log.events.length;
  socket.ws.send('{"type":"restart"}');
  const action = await sup.log.waitAfter(
    mark,
    (e) => e.type === "job.action" && e.action === "restart",
    "restart action",
  );
  deepStrictEqual(action.type === "job.action" && action.reason.source, "app");
  const second = await sup.log.waitAfter(
    mark,
    (e) => e.type === "job.spawned" && e.job === "kiosk",
    "second spawn",
  );
  ok(second.type === "job.spawned" && second.pid !== first.pid);
});

Deno.test("WebSocket self-registration: register, refresh and unregister answer with the ref", async () => {
  await using sup = await startLiveSup({ jobs: () => [resolvedJob("idle", ["sleep", "300"])] });
  await using socket = await openSocket(sup.wsUrl);
  const registered = await socket.request({
    type: "register",
    ref: 1,
    name: "kiosk-browser",
    timeout: "30s",
    action: "none",
    pid: Deno.pid,
  });
  equal(registered.type, "registered");
  const id = String(registered.id);
  deepStrictEqual(sup.side.apps.list().map((a) => [a.id, a.name, a.timeoutMs, a.pid]), [
    [id, "kiosk-browser", 30_000, Deno.pid],
  ]);
  socket.ws.send(JSON.stringify({ type: "refresh", id }));
  const refused = await socket.request({ type: "refresh", id: "no-such-app", ref: 2 });
  deepStrictEqual(refused, {
    type: "error",
    error: 'No registered app with id "no-such-app"',
    ref: 2,
  });
  const bad = await socket.request({ type: "register", ref: 3, name: "x", timeout: "soon" });
  equal(bad.type, "error");
  ok(String(bad.error).startsWith("register.timeout:"), String(bad.error));
  deepStrictEqual(await socket.request({ type: "unregister", id, ref: 4 }), {
    type: "unregistered",
    id,
    ok: true,
    ref: 4,
  });
  deepStrictEqual(sup.side.apps.list(), []);
});

Deno.test("a WebSocket naming an unknown job is refused before the upgrade", async () => {
  await using sup = await startLiveSup({ jobs: () => [resolvedJob("idle", ["sleep", "300"])] });
  const upgrade = {
    Host: `127.0.0.1:${sup.ports.websocket}`,
    Upgrade: "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
  };
  const refused = await rawRequest(sup.ports.websocket, "/app?job=nope", upgrade);
  equal(refused.status, 404);
  ok(String(JSON.parse(refused.body).error).includes("nope"));
  const plain = await fetch(`http://127.0.0.1:${sup.ports.websocket}/app`);
  equal(plain.status, 426);
  await plain.body?.cancel();
  const accepted = await rawRequest(sup.ports.websocket, "/app?job=idle", upgrade);
  deepStrictEqual([accepted.status, accepted.headers["sec-websocket-accept"]], [
    101,
    "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
  ]);
});
