/**
 * `/metrics` and `/healthz` of a real `sup run`: heartbeats counted per
 * channel with the job's last heartbeat age, the CPU and memory of a job's
 * process group, the text checked by `promtool check metrics` (format and
 * naming conventions), `network.http.metrics: "token"`, and a reload switching
 * access without a restart.
 */

import { equal, match, ok } from "node:assert/strict";
import { createSocket } from "node:dgram";
import { until } from "../src/testing/wait.ts";
import { operatorHeaders } from "./support/operator_token.ts";
import { startSupProcess } from "./support/sup_run.ts";

/** The value of the one sample of `series` (e.g. `sup_job_ready{name="app"}`) in `text`, or null. */
function sample(text: string, series: string): number | null {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

/** Prometheus' own linter (Debian `prometheus`): the text parses and follows the naming conventions. */
async function lintedByPromtool(text: string): Promise<void> {
  const child = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  const said = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  equal(out.code, 0, `promtool check metrics:\n${said}`);
  equal(said.trim(), "", "no lint findings");
}

async function sendUdp(port: number, text: string): Promise<void> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve, reject) =>
    socket.send(text, port, "127.0.0.1", (error) => error ? reject(error) : resolve())
  );
  await new Promise<void>((resolve) => socket.close(() => resolve()));
}

Deno.test("heartbeats are counted per channel, with the job's last heartbeat age and its group's CPU and memory", async () => {
  await using sup = await startSupProcess(() => ({
    jobs: {
      app: { cmd: "sleep 600", heartbeat: { timeout: "60s", startupTimeout: "60s" } },
      // Burns CPU in a child, so the group's CPU time is the child's.
      busy: {
        cmd: [
          "sh",
          "-c",
          "sh -c 'i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done'; exec sleep 600",
        ],
      },
    },
  }));
  const metrics = async () => {
    const response = await fetch(`${sup.api}/metrics`);
    equal(response.status, 200, "open without a token by default");
    return await response.text();
  };
  // Heartbeats before the job runs are counted by the channel but make nothing ready.
  await until(async () => sample(await metrics(), 'sup_job_up{name="app"}') === 1, "app running");
  await sendUdp(sup.ports.osc, "heart");
  await sendUdp(sup.ports.osc, "heart");
  let text = "";
  await until(
    async () => sample(text = await metrics(), 'sup_channel_heartbeats_total{channel="osc"}') === 2,
    "two OSC heartbeats counted",
  );
  equal(sample(text, 'sup_job_ready{name="app"}'), 1, "the first heartbeat made it ready");
  const age = sample(text, 'sup_job_last_heartbeat_age_seconds{name="app"}');
  ok(age !== null && age >= 0 && age < 30, `heartbeat age ${age}`);
  equal(sample(text, 'sup_job_last_heartbeat_age_seconds{name="busy"}'), null, "no heartbeats");
  equal(sample(text, 'sup_channel_rejected_total{channel="osc",reason="not-osc"}'), null);

  await until(
    async () =>
      (sample(text = await metrics(), 'sup_job_cpu_seconds_total{name="busy"}') ?? 0) >= 0.2,
    "the busy job's group to show its child's CPU time",
    30_000,
  );
  ok((sample(text, 'sup_job_resident_memory_bytes{name="app"}') ?? 0) > 100 * 1024);
  ok((sample(text, 'sup_job_uptime_seconds{name="app"}') ?? 0) > 0);
  match(text, /^sup_job_state\{name="busy",state="running"\} 1$/m);

  await lintedByPromtool(text);

  const health = await fetch(`${sup.api}/healthz`);
  equal(health.status, 200);
  const body = await health.json();
  equal(body.status, "ok");
  equal(body.jobs.running, 2);
});

Deno.test('network.http.metrics "token" needs the operator token; a reload to "open" opens it at once', async () => {
  await using sup = await startSupProcess(() => ({
    jobs: { web: { cmd: "sleep 600" } },
    network: { http: { metrics: "token" } },
  }));
  const headers = await operatorHeaders(`${sup.dir}/runtime`);
  for (const path of ["/metrics", "/healthz"]) {
    const refused = await fetch(`${sup.api}${path}`);
    equal(refused.status, 401, path);
    match((await refused.json()).error, /operator route.*token/);
    const allowed = await fetch(`${sup.api}${path}`, { headers });
    equal(allowed.status, 200, path);
    await allowed.body?.cancel();
  }
  const config = JSON.parse(await Deno.readTextFile(`${sup.dir}/sup.json`));
  config.network.http.metrics = "open";
  await Deno.writeTextFile(`${sup.dir}/sup.json`, JSON.stringify(config));
  await until(
    async () => {
      const response = await fetch(`${sup.api}/metrics`);
      await response.body?.cancel();
      return response.status === 200;
    },
    "/metrics to open after the reload",
    15_000,
  );
  equal((await fetch(`${sup.api}/api/status`)).status, 401, "the operator routes stay guarded");
});
