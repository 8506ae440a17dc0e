/**
 * The OSC channel over a real UDP socket with the real supervisor: every
 * address, bundles, ampm's bare `heart`, and garbage that must be counted
 * and dropped while sup keeps serving.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { encodeOscBundle, encodeOscMessage } from "../src/channels/osc_encode.ts";
import type { EventOf } from "../src/core/events.ts";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { startHeartbeatSup } from "./support/heartbeat_sup.ts";
import { udpClient } from "./support/udp_client.ts";

const hb = { timeoutMs: 5000, startupTimeoutMs: 10_000, action: "restart" } as const;

async function until(what: string, fn: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("garbage datagrams are counted by reason and dropped; heartbeats still work", async () => {
  await using sup = await startHeartbeatSup({
    jobs: () => [resolvedJob("kiosk", ["sleep", "1000"], { heartbeat: hb })],
  });
  await using client = await udpClient();
  await sup.log.waitFor((e) => e.type === "job.spawned", "spawn");
  const random = crypto.getRandomValues(new Uint8Array(1000));
  random[0] = 0x41; // never accidentally "/" or "#"
  const valid = encodeOscMessage("/log", ["info", "hello"]);
  const big = new Uint8Array(65_000).fill(0x2f);
  const garbage: Uint8Array[] = [
    random,
    valid.slice(0, valid.length - 4), // truncated
    encodeOscMessage("/heart", [42]), // wrong type
    encodeOscMessage("/register", ["x", "soon", "explode"]), // bad register
    encodeOscMessage("/heart", ["nope"]), // unknown job
    big, // 64 KB
    new TextEncoder().encode("/abc"), // no NUL
  ];
  for (const g of garbage) await client.send(g, sup.oscPort);
  await until("7 rejections", () => sup.hb.osc.stats().rejected === 7);
  await client.send(encodeOscMessage("/heart", ["kiosk"]), sup.oscPort);
  await sup.log.waitFor((e) => e.type === "job.ready", "ready after the garbage");
  const stats = sup.hb.osc.stats();
  equal(stats.received, 8);
  equal(stats.heartbeats, 1);
  deepStrictEqual(stats.rejectedBy, {
    "not-osc": 1,
    "truncated": 2,
    "oversize": 1,
    "bad-arguments": 1,
    "bad-register": 1,
    "unknown-job": 1,
  });
  const rejected = sup.log.events.filter((e) => e.type === "channel.rejected");
  equal(rejected.length, 7, "with no report interval every refusal is reported");
  await using client2 = await udpClient();
  await client2.send(encodeOscMessage("/register", ["x", 1000, "explode"]), sup.oscPort);
  const error = await client2.next("/error");
  ok(String(error.args[1]).startsWith("action:"), String(error.args[1]));
});

Deno.test("a flood of one kind of garbage is reported once per interval, counted in full", async () => {
  await using sup = await startHeartbeatSup({
    jobs: () => [resolvedJob("kiosk", ["sleep", "1000"], { heartbeat: hb })],
  });
  // A channel with the production interval on the same supervisor.
  const { OscChannel } = await import("../src/channels/osc_channel.ts");
  const osc = new OscChannel({ api: sup.api, handle: sup.hb.handle }, { reportIntervalMs: 60_000 });
  await osc.start({ host: "127.0.0.1", port: 0 });
  try {
    await using client = await udpClient();
    for (let i = 0; i < 200; i++) await client.send(new Uint8Array([1, 2, 3, 4]), osc.addr!.port);
    await until("200 rejections", () => osc.stats().rejected === 200);
    equal(sup.log.events.filter((e) => e.type === "channel.rejected").length, 1);
  } finally {
    await osc.close();
  }
});

Deno.test("bundles, bare heart, /log, /event, /restart, /config and other addresses", async () => {
  await using answers = await udpClient();
  await using sup = await startHeartbeatSup({
    jobs: () => [resolvedJob("kiosk", ["sleep", "1000"], { heartbeat: hb, killTimeoutMs: 1000 })],
    app: { screen: 2, title: "hall" },
    appPort: answers.port,
  });
  await using client = await udpClient();
  const spawned = await sup.log.waitFor<EventOf<"job.spawned">>(
    (e) => e.type === "job.spawned",
    "spawn",
  );
  await client.send(new TextEncoder().encode("heart\n"), sup.oscPort);
  await sup.log.waitFor((e) => e.type === "job.ready", "bare heart marks ready");
  const nested = encodeOscBundle([
    encodeOscMessage("/log", ["warning", "disk almost full"]),
    encodeOscBundle([
      encodeOscMessage("/event", ["visitor", "touch", "screen-1", 3]),
      encodeOscMessage("/custom/thing", [1, "two", new Uint8Array([3])]),
    ]),
  ]);
  await client.send(nested, sup.oscPort);
  const logged = await sup.log.waitFor((e) => e.type === "app.log", "app.log");
  deepStrictEqual({ ...logged, at: 0 }, {
    type: "app.log",
    job: "kiosk",
    level: "warning",
    message: "disk almost full",
    at: 0,
  });
  const event = await sup.log.waitFor((e) => e.type === "app.event", "app.event");
  deepStrictEqual({ ...event, at: 0 }, {
    type: "app.event",
    job: "kiosk",
    category: "visitor",
    action: "touch",
    label: "screen-1",
    value: 3,
    at: 0,
  });
  const message = await sup.log.waitFor((e) => e.type === "app.message", "app.message");
  deepStrictEqual({ ...message, at: 0 }, {
    type: "app.message",
    job: null,
    channel: "osc",
    address: "/custom/thing",
    args: [1, "two", [3]],
    at: 0,
  });
  await client.send(encodeOscMessage("/config"), sup.oscPort);
  const config = await answers.next("/config");
  deepStrictEqual(JSON.parse(String(config.args[0])), { screen: 2, title: "hall" });
  await client.send(encodeOscMessage("/restart", ["kiosk"]), sup.oscPort);
  const restart = await sup.log.waitFor<EventOf<"job.action">>(
    (e) => e.type === "job.action" && e.action === "restart",
    "restart",
  );
  equal(restart.reason.source, "app");
  await sup.log.waitFor((e) => e.type === "job.spawned" && e.pid !== spawned.pid, "respawn");
  equal(sup.hb.osc.stats().rejected, 0, JSON.stringify(sup.hb.osc.stats()));
});

Deno.test("register, refresh and unregister over OSC; /registered answers the sender", async () => {
  await using sup = await startHeartbeatSup({ jobs: () => [] });
  await using client = await udpClient();
  await client.send(encodeOscMessage("/register", ["panel", 300, "none"]), sup.oscPort);
  const registered = await client.next("/registered");
  const id = String(registered.args[0]);
  deepStrictEqual(sup.hb.apps.list().map((a) => [a.id, a.name, a.timeoutMs]), [[id, "panel", 300]]);
  for (let i = 0; i < 5; i++) {
    await client.send(encodeOscMessage("/refresh", [id]), sup.oscPort);
    await new Promise((r) => setTimeout(r, 100));
  }
  equal(sup.log.events.filter((e) => e.type === "app.missed").length, 0);
  const missed = await sup.log.waitFor<EventOf<"app.missed">>(
    (e) => e.type === "app.missed",
    "missed refresh",
  );
  equal(missed.name, "panel");
  equal(missed.id, id);
  equal(sup.log.events.filter((e) => e.type === "heartbeat.missed").length, 0, "apps are not jobs");
  await client.send(encodeOscMessage("/unregister", [id]), sup.oscPort);
  await sup.log.waitFor((e) => e.type === "app.unregistered" && e.id === id, "unregistered");
  deepStrictEqual(sup.hb.apps.list(), []);
  await client.send(encodeOscMessage("/refresh", [id]), sup.oscPort);
  await until("unknown-app counted", () => sup.hb.osc.stats().rejectedBy["unknown-app"] === 1);
});
