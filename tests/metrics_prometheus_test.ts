/**
 * `/metrics` scraped by a real Prometheus (Debian `prometheus`), started by
 * the test on a loopback port with a scrape interval of 1 s; the test asks
 * Prometheus' HTTP API for sup's series.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { until } from "../src/testing/wait.ts";
import { freeTcpPort } from "./support/ports.ts";
import { startSupProcess } from "./support/sup_run.ts";
import { operatorHeaders } from "./support/operator_token.ts";

const PROMETHEUS = "/usr/bin/prometheus";

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** A Prometheus scraping `target` every second; `await using` ends its process group. */
async function startPrometheus(target: string, dir: string) {
  const port = freeTcpPort();
  await Deno.writeTextFile(
    `${dir}/prometheus.yml`,
    [
      "global:",
      "  scrape_interval: 1s",
      "  scrape_timeout: 1s",
      "scrape_configs:",
      "  - job_name: sup",
      "    static_configs:",
      `      - targets: ["${target}"]`,
      "",
    ].join("\n"),
  );
  const child = new Deno.Command(PROMETHEUS, {
    args: [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/tsdb`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--log.level=warn",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    detached: true,
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  void (async () => {
    for (;;) {
      const { value, done } = await stderr.read().catch(() => ({ value: "", done: true }));
      if (done) return;
      log += value;
    }
  })();
  const api = `http://127.0.0.1:${port}/api/v1`;
  return {
    api,
    log: () => log,
    /** The samples of an instant query. */
    async query(promql: string): Promise<Sample[]> {
      const response = await fetch(`${api}/query?query=${encodeURIComponent(promql)}`);
      const body = await response.json();
      if (body.status !== "success") throw new Error(`${promql}: ${JSON.stringify(body)}`);
      return body.data.result as Sample[];
    },
    async [Symbol.asyncDispose]() {
      try {
        Deno.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
    },
  };
}

Deno.test("a real Prometheus scrapes sup's /metrics every second and answers queries on its series", async () => {
  await using sup = await startSupProcess(() => ({
    jobs: {
      web: { cmd: "sleep 600" },
      worker: { cmd: "sleep 600", groups: ["back"] },
    },
  }));
  await using prometheus = await startPrometheus(`127.0.0.1:${sup.ports.http}`, sup.dir);

  let up: Sample[] = [];
  await until(
    async () => (up = await prometheus.query('sup_job_up{name="web"}')).length > 0,
    `Prometheus to have scraped sup_job_up (its log: ${prometheus.log()})`,
    30_000,
  );
  equal(up[0].value[1], "1");
  deepStrictEqual(
    { job: up[0].metric.job, instance: up[0].metric.instance },
    { job: "sup", instance: `127.0.0.1:${sup.ports.http}` },
    "Prometheus' own job and instance labels, not an exported_job",
  );
  const targets = await (await fetch(`${prometheus.api}/targets`)).json();
  equal(targets.data.activeTargets[0].health, "up");

  // A restart by hand shows up as a counter with its reason.
  const restarted = await fetch(`${sup.api}/api/jobs/web/restart`, {
    method: "POST",
    headers: await operatorHeaders(`${sup.dir}/runtime`),
  });
  equal(restarted.status, 200);
  await restarted.body?.cancel();
  let restarts: Sample[] = [];
  await until(
    async () => (restarts = await prometheus.query("sup_job_restarts_total")).length > 0,
    "Prometheus to see the restart",
    30_000,
  );
  deepStrictEqual(restarts.map((s) => [s.metric.name, s.metric.reason, s.value[1]]), [
    ["web", "manual", "1"],
  ]);

  const rss = await prometheus.query('sup_job_resident_memory_bytes{name="worker"}');
  ok(Number(rss[0]?.value[1]) > 0, `worker RSS ${JSON.stringify(rss)}`);
  const own = await prometheus.query("sup_resident_memory_bytes");
  ok(Number(own[0]?.value[1]) > 10 * 1024 * 1024, "sup's own RSS");
});
