import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import { connect, type SupClient } from "sup/client";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { startLiveSup } from "./support/live_sup.ts";
import { until } from "../src/testing/wait.ts";

const heartbeat = { timeoutMs: 30_000, startupTimeoutMs: 60_000, action: "restart" as const };

function closing(client: SupClient): SupClient & Disposable {
  return Object.assign(client, { [Symbol.dispose]: () => client.close() });
}

Deno.test("sup/client heartbeats, logs, sends events, reads config and registers", async () => {
  await using sup = await startLiveSup({
    jobs: () => [resolvedJob("kiosk", ["sleep", "300"], { heartbeat })],
    app: { screen: 3 },
  });
  using client = closing(connect({ url: sup.wsUrl, job: "kiosk" }));
  await client.opened();
  equal(client.connected, true);
  equal(client.heartbeat(), true);
  await sup.log.waitFor((e) => e.type === "job.ready" && e.job === "kiosk", "kiosk ready");
  client.log("info", "hello from the client");
  client.event("ui", "tap", "start", 1);
  const log = await sup.log.waitFor((e) => e.type === "app.log", "app.log");
  deepStrictEqual(log.type === "app.log" && [log.job, log.level, log.message], [
    "kiosk",
    "info",
    "hello from the client",
  ]);
  await sup.log.waitFor(
    (e) => e.type === "app.event" && e.label === "start" && e.value === 1,
    "app.event",
  );
  deepStrictEqual(await client.config(), { screen: 3 });
  const handle = await client.register("20s", "none", undefined, Deno.pid, "kiosk-self");
  deepStrictEqual(sup.side.apps.list().map((a) => [a.id, a.name, a.timeoutMs]), [
    [handle.id, "kiosk-self", 20_000],
  ]);
  equal(handle.refresh(), true);
  equal(await handle.unregister(), true);
  equal(await handle.unregister(), false);
  await rejects(client.register("soon", "none"), /register\.timeout: "soon" is not a duration/);
});

Deno.test("sup/client reconnects after the channel restarts; heartbeats are dropped while down, logs wait", async () => {
  await using sup = await startLiveSup({
    jobs: () => [resolvedJob("kiosk", ["sleep", "300"], { heartbeat })],
  });
  using client = closing(
    connect({ url: sup.wsUrl, job: "kiosk", reconnectMs: 20, maxReconnectMs: 100 }),
  );
  await client.opened();
  const port = sup.ws.addr!.port;
  await sup.ws.close();
  await until(() => !client.connected, "the client to see the close");
  equal(client.heartbeat(), false, "a heartbeat while disconnected is dropped");
  client.log("info", "written while sup was away");
  await sup.ws.start({ host: "127.0.0.1", port });
  await client.opened();
  const log = await sup.log.waitFor((e) => e.type === "app.log", "the queued log");
  equal(log.type === "app.log" && log.message, "written while sup was away");
  equal(client.heartbeat(), true);
  await sup.log.waitFor((e) => e.type === "job.ready" && e.job === "kiosk", "kiosk ready");
  equal(sup.ws.stats().heartbeats, 1);
});

Deno.test("sup/client sends messages to another app's job and to every app", async () => {
  await using sup = await startLiveSup({
    jobs: () => [resolvedJob("a", ["sleep", "300"]), resolvedJob("b", ["sleep", "300"])],
  });
  using a = closing(connect({ url: sup.wsUrl, job: "a" }));
  using b = closing(connect({ url: sup.wsUrl, job: "b" }));
  await Promise.all([a.opened(), b.opened()]);
  const atB: unknown[] = [];
  const atA: unknown[] = [];
  b.onMessage((data, from) => atB.push([from, data]));
  a.onMessage((data, from) => atA.push([from, data]));
  a.send("b", { slide: 4 });
  b.send("*", "all");
  await until(() => atB.length === 1 && atA.length === 1, "both messages");
  deepStrictEqual(atB, [["a", { slide: 4 }]]);
  deepStrictEqual(atA, [["b", "all"]]);
});

Deno.test("sup/client startHeartbeat sends heartbeats at its interval until stopped", async () => {
  await using sup = await startLiveSup({
    jobs: () => [resolvedJob("kiosk", ["sleep", "300"], { heartbeat })],
  });
  using client = closing(connect({ url: sup.wsUrl, job: "kiosk" }));
  await client.opened();
  const stop = client.startHeartbeat(20);
  await until(() => sup.ws.stats().heartbeats >= 5, "five heartbeats");
  stop();
  const count = sup.ws.stats().heartbeats;
  await new Promise((r) => setTimeout(r, 100));
  ok(sup.ws.stats().heartbeats <= count + 1, "no heartbeats after stop");
});
