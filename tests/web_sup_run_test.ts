import { deepStrictEqual, equal } from "node:assert/strict";
import { connect } from "sup/client";
import { freeTcpPort, freeUdpPort } from "./support/live_sup.ts";
import { until } from "../src/testing/wait.ts";
import { openSocket } from "./support/ws.ts";
import { SupProcess } from "./support/sup_process.ts";
import { operatorHeaders } from "./support/operator_token.ts";
import { createSocket } from "node:dgram";

async function getJson(url: string, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return await response.json();
}

Deno.test("sup run serves the HTTP API and the app channels on the configured ports and counts garbage", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-run-web-" });
  const ports = { http: freeTcpPort(), websocket: freeTcpPort(), osc: await freeUdpPort() };
  await Deno.writeTextFile(
    `${dir}/sup.json`,
    JSON.stringify({
      network: {
        http: { port: ports.http },
        websocket: { port: ports.websocket },
        osc: { port: ports.osc },
      },
      app: { screen: 1 },
      jobs: { kiosk: { cmd: "sleep 300", heartbeat: { timeout: "30s", startupTimeout: "60s" } } },
    }),
  );
  await Deno.mkdir(`${dir}/runtime`);
  const sup = new SupProcess(`${dir}/sup.json`, { XDG_RUNTIME_DIR: `${dir}/runtime` });
  const api = `http://127.0.0.1:${ports.http}`;
  const client = connect({ url: `ws://127.0.0.1:${ports.websocket}/app`, job: "kiosk" });
  try {
    let config: unknown = null;
    await until(
      async () => (config = await getJson(`${api}/config`)) !== null,
      "GET /config",
      20_000,
    );
    deepStrictEqual(config, { screen: 1 });
    const token = await operatorHeaders(`${dir}/runtime`);
    await client.opened();
    equal(client.heartbeat(), true);
    await until(
      async () => ((await getJson(`${api}/api/jobs/kiosk`, token)) as { ready: boolean }).ready,
      "kiosk ready after a WebSocket heartbeat",
    );
    // Garbage on both app channels is counted, and sup keeps serving.
    await using raw = await openSocket(`ws://127.0.0.1:${ports.websocket}/app?job=kiosk`);
    for (let i = 0; i < 50; i++) raw.ws.send(`garbage ${i}`);
    const udp = createSocket("udp4");
    for (let i = 0; i < 5; i++) udp.send(new Uint8Array([0xde, 0xad, i]), ports.osc, "127.0.0.1");
    type Counts = { websocket: { badFrames: number }; osc: { rejected: number } };
    let counts: Counts | null = null;
    await until(async () => {
      counts = (await getJson(`${api}/api/channels`, token)) as Counts;
      return counts.websocket.badFrames === 50 && counts.osc.rejected === 5;
    }, "50 bad frames and 5 bad datagrams counted");
    udp.close();
    equal(((await getJson(`${api}/api/jobs/kiosk`, token)) as { state: string }).state, "running");
  } finally {
    client.close();
    sup.kill("SIGTERM");
    const status = await sup.exit();
    await Deno.remove(dir, { recursive: true });
    equal(status.code, 0, sup.lines.join("\n"));
  }
});
