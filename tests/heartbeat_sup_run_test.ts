/**
 * Heartbeats through `sup run` (the real composition root): a job that goes
 * quiet is restarted, and an app registered over OSC outlives a restart of
 * sup (runtime state file), is listed in the next sup's status beside the
 * jobs, and is killed by the next sup when it goes quiet.
 */

import { equal, ok } from "node:assert/strict";
import { encodeOscMessage } from "../src/channels/osc_encode.ts";
import { freeTcpPort, freeUdpPort } from "./support/live_sup.ts";
import { udpClient } from "./support/udp_client.ts";
import { until } from "../src/testing/wait.ts";
import { SupProcess } from "./support/sup_process.ts";
import { operatorHeaders } from "./support/operator_token.ts";

/** `sup run` on `dir`/sup.json with its runtime dir in `dir`. */
function startSup(dir: string): SupProcess {
  return new SupProcess(`${dir}/sup.json`, { XDG_RUNTIME_DIR: `${dir}/runtime` });
}

/** SIGTERMs sup and checks it exited 0 (its log is the failure message). */
async function stopSup(sup: SupProcess): Promise<void> {
  sup.kill("SIGTERM");
  const status = await sup.exit();
  equal(status.code, 0, sup.lines.join("\n"));
}

Deno.test("sup run restarts a quiet job and keeps an OSC-registered app across its own restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-run-hb-" });
  await Deno.mkdir(`${dir}/runtime`);
  const ports = { http: freeTcpPort(), websocket: freeTcpPort(), osc: await freeUdpPort() };
  const beats =
    `for i in 1 2 3; do oscsend 127.0.0.1 ${ports.osc} /heart s kiosk; sleep 0.05; done; ` +
    `exec sleep 300`;
  await Deno.writeTextFile(
    `${dir}/sup.json`,
    JSON.stringify({
      network: {
        http: { port: ports.http },
        websocket: { port: ports.websocket },
        osc: { port: ports.osc },
      },
      jobs: {
        kiosk: {
          cmd: ["/bin/sh", "-c", beats],
          heartbeat: { timeout: "500ms", startupTimeout: "20s" },
        },
      },
    }),
  );
  const app = new Deno.Command("sleep", { args: ["300"], detached: true }).spawn();
  let sup = startSup(dir);
  try {
    type Job = { restarts: number; lastReason: { source: string } | null };
    await until(
      async () => {
        const res = await fetch(`http://127.0.0.1:${ports.http}/api/jobs/kiosk`, {
          headers: await operatorHeaders(`${dir}/runtime`),
        });
        const job = (await res.json()) as Job;
        return job.restarts >= 1 && job.lastReason?.source === "heartbeat";
      },
      "a restart of the quiet job with reason heartbeat",
      20_000,
    );

    await using client = await udpClient();
    await client.send(encodeOscMessage("/register", ["player", 4000, "kill", app.pid]), ports.osc);
    const id = String((await client.next("/registered")).args[0]);
    ok(id.length > 0);
    await stopSup(sup);
    // sup stopped cleanly without touching the app.
    equal(Deno.readTextFileSync(`/proc/${app.pid}/stat`).includes(" Z "), false);

    sup = startSup(dir);
    // The new sup lists the registration it reloaded, beside the jobs.
    type Status = { jobs: { name: string }[]; apps: { id: string; name: string; pid: number }[] };
    let listed: Status | null = null;
    await until(
      async () => {
        listed = await (await fetch(`http://127.0.0.1:${ports.http}/api/status`, {
          headers: await operatorHeaders(`${dir}/runtime`),
        })).json() as Status;
        return true;
      },
      "the new sup's status",
      20_000,
    );
    equal(listed!.jobs.map((j) => j.name).join(), "kiosk");
    equal(
      JSON.stringify(listed!.apps.map((a) => [a.id, a.name, a.pid])),
      JSON.stringify([[id, "player", app.pid]]),
    );
    const status = await Promise.race([
      app.status,
      new Promise<null>((r) => setTimeout(() => r(null), 20_000)),
    ]);
    equal(status?.signal, "SIGKILL", "the new sup killed the app that stopped refreshing");
  } finally {
    try {
      Deno.kill(-app.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
    await app.status;
    await stopSup(sup);
    await Deno.remove(dir, { recursive: true });
  }
});
