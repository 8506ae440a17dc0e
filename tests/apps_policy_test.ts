/**
 * The config's `apps` section on every channel (HTTP, WebSocket, OSC) of a
 * live sup: `enabled: false` refuses every registration, and an action in
 * `apps.allow` is accepted.
 */

import { deepStrictEqual, equal } from "node:assert/strict";
import { encodeOscMessage } from "../src/channels/osc_encode.ts";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { startLiveSup } from "./support/live_sup.ts";
import { udpClient } from "./support/udp_client.ts";
import { openSocket } from "./support/ws.ts";

const registration = { name: "watcher", timeout: "10s", action: "none" };

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: "POST", body: JSON.stringify(body) });
}

Deno.test("apps.enabled false refuses every registration: HTTP 403, WebSocket error frame, OSC /error", async () => {
  await using sup = await startLiveSup({
    jobs: () => [resolvedJob("kiosk", ["sleep", "300"])],
    apps: { enabled: false, allow: ["kill", "restart", "reboot"] },
  });
  const expected = "self-registration is turned off (apps.enabled is false in the config)";
  const response = await post(`${sup.httpUrl}/api/apps`, registration);
  equal(response.status, 403);
  deepStrictEqual(await response.json(), { error: expected });

  await using ws = await openSocket(`${sup.wsUrl}?job=kiosk`);
  const frame = await ws.request({ type: "register", ...registration });
  deepStrictEqual([frame.type, frame.error], ["error", expected]);

  await using client = await udpClient();
  await client.send(encodeOscMessage("/register", ["watcher", 10_000, "none"]), sup.ports.osc);
  deepStrictEqual((await client.next("/error")).args, ["/register", expected]);
  deepStrictEqual(sup.side.apps.list(), []);
  equal(sup.osc.stats().rejectedBy["not-allowed"], 1);
});

Deno.test("actions listed in apps.allow are accepted on every channel; others still are not", async () => {
  await using sup = await startLiveSup({
    jobs: () => [resolvedJob("kiosk", ["sleep", "300"])],
    apps: { enabled: true, allow: ["restart"] },
  });
  const restart = { name: "viewer", timeout: "10s", action: "restart", restartCommand: "true" };
  equal((await post(`${sup.httpUrl}/api/apps`, restart)).status, 201);
  const kill = await post(`${sup.httpUrl}/api/apps`, { ...restart, action: "kill", pid: Deno.pid });
  equal(kill.status, 403);
  equal(
    ((await kill.json()) as { error: string }).error,
    'action "kill" is not allowed: add "kill" to apps.allow in the config ' +
      "(a local client could have sup kill its own processes, or any process when it runs as root)",
  );
  await using ws = await openSocket(`${sup.wsUrl}?job=kiosk`);
  equal((await ws.request({ type: "register", ...restart })).type, "registered");
  await using client = await udpClient();
  await client.send(
    encodeOscMessage("/register", ["viewer", 10_000, "restart", "true"]),
    sup.ports.osc,
  );
  await client.next("/registered");
  deepStrictEqual(sup.side.apps.list().map((a) => a.action), ["restart", "restart", "restart"]);
});
