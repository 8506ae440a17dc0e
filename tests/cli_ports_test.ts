/**
 * sup's listeners from a user's side: a port sup cannot bind at start is a
 * startup error (exit 1 naming the port, the protocol and the setting)
 * before any job starts; a reload to a port that cannot be bound keeps the
 * old listener and is reported like an invalid edit; the three listen
 * addresses are logged in one format; every job learns them from its
 * environment (SUP_OSC_HOST, SUP_OSC_PORT, SUP_WS_URL, SUP_HTTP_URL).
 */

import { exists } from "./support/files.ts";
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { createSocket } from "node:dgram";
import { freeTcpPort, freeUdpPort } from "./support/ports.ts";
import { SupProcess } from "./support/sup_process.ts";
import { startSupProcess } from "./support/sup_run.ts";
import { until } from "../src/testing/wait.ts";

Deno.test("busy ports at start: sup exits 1 naming each port, protocol and setting, and starts no job", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-ports-" });
  const ports = { http: freeTcpPort(), websocket: freeTcpPort(), osc: await freeUdpPort() };
  // Another program holds all three.
  const http = Deno.listen({ hostname: "127.0.0.1", port: ports.http });
  const ws = Deno.listen({ hostname: "127.0.0.1", port: ports.websocket });
  const udp = createSocket("udp4");
  await new Promise<void>((resolve) => udp.bind(ports.osc, "127.0.0.1", resolve));
  let sup: SupProcess | null = null;
  try {
    await Deno.writeTextFile(
      `${dir}/sup.json`,
      JSON.stringify({
        network: {
          http: { port: ports.http },
          websocket: { port: ports.websocket },
          osc: { port: ports.osc, appPort: 9 },
        },
        jobs: { worker: { cmd: ["/bin/sh", "-c", `touch ${dir}/started; exec sleep 300`] } },
      }),
    );
    sup = new SupProcess(`${dir}/sup.json`, { SUP_STATE_DIR: dir });
    const status = await sup.exit(20_000);
    const log = sup.lines.join("\n");
    equal(status.code, 1, log);
    for (
      const [setting, where] of [
        ["network.http", `127.0.0.1:${ports.http}/tcp`],
        ["network.websocket", `127.0.0.1:${ports.websocket}/tcp`],
        ["network.osc", `127.0.0.1:${ports.osc}/udp`],
      ]
    ) {
      ok(
        sup.lines.some((l) =>
          l.includes(`Cannot start: ${setting}.port: cannot listen`) && l.includes(where) &&
          l.includes("in use") && l.includes(`choose a free port in ${setting}.port`)
        ),
        `${setting} ${where}:\n${log}`,
      );
    }
    ok(!exists(`${dir}/started`), "no job started");
  } finally {
    sup?.kill("SIGKILL");
    await sup?.exit();
    http.close();
    ws.close();
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sup logs its three listen addresses in one format, and every job finds them in its environment", async () => {
  await using sup = await startSupProcess((_ports, dir) => ({
    jobs: {
      app: {
        cmd: [
          "/bin/sh",
          "-c",
          `env | grep '^SUP_' | sort > ${dir}/env.tmp; mv ${dir}/env.tmp ${dir}/env; exec sleep 300`,
        ],
      },
    },
  }));
  const { http, websocket, osc } = sup.ports;
  for (
    const line of [
      `HTTP API listening on 127.0.0.1:${http}/tcp (network.http)`,
      `app WebSocket listening on 127.0.0.1:${websocket}/tcp (network.websocket)`,
      `OSC channel listening on 127.0.0.1:${osc}/udp (network.osc)`,
    ]
  ) {
    await sup.waitForLog([line], line);
  }
  await until(() => exists(`${sup.dir}/env`), "the job wrote its environment", 10_000);
  deepStrictEqual(Deno.readTextFileSync(`${sup.dir}/env`).trim().split("\n"), [
    `SUP_HTTP_URL=http://127.0.0.1:${http}`,
    "SUP_JOB=app",
    "SUP_OSC_HOST=127.0.0.1",
    `SUP_OSC_PORT=${osc}`,
    `SUP_WS_URL=ws://127.0.0.1:${websocket}/app`,
  ]);
});

Deno.test("a reload to a port that cannot be bound keeps the old listener and is reported like an invalid edit", async () => {
  await using sup = await startSupProcess(() => ({
    jobs: { a: { cmd: ["sleep", "300"] } },
  }));
  const busy = freeTcpPort();
  const other = Deno.listen({ hostname: "127.0.0.1", port: busy });
  try {
    const config = JSON.parse(Deno.readTextFileSync(`${sup.dir}/sup.json`));
    config.network.http.port = busy;
    config.jobs.b = { cmd: ["sleep", "300"] };
    Deno.writeTextFileSync(`${sup.dir}/sup.json`, JSON.stringify(config));
    sup.child.kill("SIGHUP");
    await sup.waitForLog(
      [`network.http.port: cannot listen for the HTTP API on 127.0.0.1:${busy}/tcp`, "in use"],
      "the busy port reported with its setting",
    );
    await sup.waitForLog(["Config not reloaded"], "reported like an invalid edit");
    const jobs = await sup.get<{ name: string }[]>("/api/jobs");
    deepStrictEqual(jobs.map((j) => j.name), ["a"], "the old API still answers; nothing applied");
  } finally {
    other.close();
  }
});
