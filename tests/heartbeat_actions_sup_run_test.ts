/**
 * Issue 4 end to end through `sup run` (main.ts, the real composition root):
 * heartbeat actions kill, reboot (the configured `machine.rebootCommand`)
 * and none; `/config`, `/log` and `/event` over OSC; app-to-app messages
 * over WebSocket; self-registration refused by the default `apps.allow` on
 * every channel; and a prompt, clean exit on SIGTERM with the OSC socket open.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { connect } from "sup/client";
import { encodeOscMessage } from "../src/channels/osc_encode.ts";
import type { JobStatus } from "../src/core/api.ts";
import { startSupProcess } from "./support/sup_run.ts";
import { udpClient } from "./support/udp_client.ts";
import { until } from "../src/testing/wait.ts";
import { openSocket } from "./support/ws.ts";

Deno.test("sup run: heartbeat action kill SIGKILLs, reboot runs machine.rebootCommand (for apps too), none only reports", async () => {
  await using sup = await startSupProcess((_ports, dir) => ({
    machine: {
      rebootCommand: ["/bin/sh", "-c", `echo "$0" >> ${dir}/rebooted`, "rebooting"],
      minRebootInterval: 0, // two reboots within seconds (the guard: tests/machine_*)
    },
    apps: { allow: ["reboot"] },
    jobs: {
      killed: {
        cmd: "sleep 300",
        heartbeat: { timeout: "200ms", startupTimeout: "300ms", action: "kill" },
      },
      rebooter: {
        cmd: "sleep 300",
        heartbeat: { timeout: "200ms", startupTimeout: "300ms", action: "reboot" },
      },
      quiet: {
        cmd: "sleep 300",
        heartbeat: { timeout: "200ms", startupTimeout: "300ms", action: "none" },
      },
    },
  }));
  const first = await sup.get<JobStatus>("/api/jobs/rebooter");
  const quietFirst = await sup.get<JobStatus>("/api/jobs/quiet");

  // kill: the heartbeat watchdog SIGKILLs the process; the restart policy starts it again.
  await sup.waitForLog(['Job "killed"', "no first heartbeat", 'action "kill"'], "the kill");
  await until(
    async () => (await sup.get<JobStatus>("/api/jobs/killed")).lastExit?.signal === "SIGKILL",
    "job killed exits with SIGKILL",
    10_000,
  );

  // reboot: the configured command ran, once; the job itself is left alone.
  await until(
    () => Deno.readTextFile(`${sup.dir}/rebooted`).then((t) => t === "rebooting\n"),
    "machine.rebootCommand ran",
    10_000,
  );
  await sup.waitForLog(["REBOOTING THE MACHINE", "rebooter"], "the reboot is logged loudly");

  // none: the miss is reported, nothing is done to the job.
  await sup.waitForLog(["quiet", "no first heartbeat within 300ms"], "the miss of quiet");
  const rebooter = await sup.get<JobStatus>("/api/jobs/rebooter");
  const quiet = await sup.get<JobStatus>("/api/jobs/quiet");
  deepStrictEqual([rebooter.pid, rebooter.restarts], [first.pid, 0]);
  deepStrictEqual([quiet.pid, quiet.restarts, quiet.state], [quietFirst.pid, 0, "running"]);
  equal(await Deno.readTextFile(`${sup.dir}/rebooted`), "rebooting\n", "one reboot per start");
  equal(await Deno.stat(`${sup.dir}/systemctl-called`).catch(() => null), null, "not the default");

  // A registered app that stops refreshing, with action reboot, runs the same command.
  const registered = await fetch(`${sup.api}/api/apps`, {
    method: "POST",
    body: JSON.stringify({ name: "panel", timeout: "200ms", action: "reboot" }),
  });
  equal(registered.status, 201, await registered.clone().text());
  await sup.waitForLog(
    ["REBOOTING THE MACHINE", "panel", "missed its refresh"],
    "the app's reboot",
  );
  await until(
    () => Deno.readTextFile(`${sup.dir}/rebooted`).then((t) => t === "rebooting\nrebooting\n"),
    "machine.rebootCommand ran for the app",
  );

  // sup leaves promptly and cleanly with its OSC socket (recvmmsg pending) open.
  const { code, stderr, ms } = await sup.stop();
  equal(code, 0, stderr);
  ok(ms < 5000, `sup took ${Math.round(ms)}ms to exit on SIGTERM`);
});

Deno.test("sup run: /config over OSC answers on appPort; /log and /event become log lines; WebSocket apps message each other", async () => {
  await using appSide = await udpClient();
  await using sup = await startSupProcess(() => ({
    network: { osc: { appPort: appSide.port } },
    app: { screen: 2, title: "lobby" },
    jobs: {
      kiosk: { cmd: "sleep 300", heartbeat: { timeout: "30s", startupTimeout: "60s" } },
      wall: { cmd: "sleep 300" },
    },
  }));
  await using client = await udpClient();
  await client.send(encodeOscMessage("/config", []), sup.ports.osc);
  const answer = await appSide.next("/config");
  deepStrictEqual(JSON.parse(String(answer.args[0])), { screen: 2, title: "lobby" });

  await client.send(
    encodeOscMessage("/log", ["warning", "projector lamp hot", "kiosk"]),
    sup.ports.osc,
  );
  await client.send(
    encodeOscMessage("/event", ["visitor", "tap", "slide-3", 7, "kiosk"]),
    sup.ports.osc,
  );
  // Logged at the app's level under the job's category.
  await sup.waitForLog(["[WRN] sup·app·kiosk", "projector lamp hot"], "the app's log line");
  await sup.waitForLog(["sup·app·kiosk", "visitor", "tap", "slide-3", "7"], "the app's event");

  const a = connect({ url: `ws://127.0.0.1:${sup.ports.websocket}/app`, job: "kiosk" });
  const b = connect({ url: `ws://127.0.0.1:${sup.ports.websocket}/app`, job: "wall" });
  try {
    await Promise.all([a.opened(), b.opened()]);
    const atB: unknown[] = [];
    b.onMessage((data, from) => atB.push([from, data]));
    a.send("wall", { slide: 4 });
    await until(() => atB.length === 1, "the message from kiosk at wall");
    deepStrictEqual(atB, [["kiosk", { slide: 4 }]]);
  } finally {
    a.close();
    b.close();
  }
  const { code, stderr } = await sup.stop();
  equal(code, 0, stderr);
});

Deno.test("sup run: by default a registration asking for restart is refused on HTTP, WebSocket and OSC", async () => {
  await using sup = await startSupProcess(() => ({ jobs: { kiosk: { cmd: "sleep 300" } } }));
  const expected = 'action "restart" is not allowed: add "restart" to apps.allow in the config ' +
    "(the restart command comes from any local client and runs as sup's user)";
  const registration = {
    name: "evil",
    timeout: "1s",
    action: "restart",
    restartCommand: "touch /tmp/x",
  };

  const response = await fetch(`${sup.api}/api/apps`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(registration),
  });
  equal(response.status, 403);
  deepStrictEqual(await response.json(), { error: expected });

  await using ws = await openSocket(`ws://127.0.0.1:${sup.ports.websocket}/app?job=kiosk`);
  const frame = await ws.request({ type: "register", ...registration });
  deepStrictEqual([frame.type, frame.error], ["error", expected]);

  await using client = await udpClient();
  await client.send(
    encodeOscMessage("/register", ["evil", 1000, "restart", "touch /tmp/x"]),
    sup.ports.osc,
  );
  const error = await client.next("/error");
  deepStrictEqual(error.args, ["/register", expected]);

  // "none" is always allowed; nothing was registered by the refused requests.
  const ok201 = await fetch(`${sup.api}/api/apps`, {
    method: "POST",
    body: JSON.stringify({ name: "watcher", timeout: "10s", action: "none" }),
  });
  equal(ok201.status, 201);
  const apps = await sup.get<{ name: string }[]>("/api/apps");
  deepStrictEqual(apps.map((a) => a.name), ["watcher"]);
  const { code, stderr } = await sup.stop();
  equal(code, 0, stderr);
});
