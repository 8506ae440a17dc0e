/**
 * Health checks through `sup run` (the real composition root, a JSON
 * config): a job is ready at its first passing check and only then starts
 * the job waiting on it with `after`; an HTTP check that starts answering
 * 500 or hanging, a TCP port that closes and a command that starts failing
 * each get the job restarted with reason "health", saying why.
 */

import { equal, ok } from "node:assert/strict";
import { startSupProcess, type SupRun } from "./support/sup_run.ts";
import { freeTcpPort } from "./support/ports.ts";
import { until } from "../src/testing/wait.ts";

const APP = new URL("./fixtures/health_app.py", import.meta.url).pathname;

/** Fast checks: every 300 ms, 300 ms timeout, acted on at the second failure in a row. */
const FAST = { interval: "300ms", timeout: "300ms", failures: 2, startPeriod: "20s" };

interface JobView {
  restarts: number;
  ready: boolean;
  pid: number | null;
  lastReason: { source: string; detail?: string } | null;
}

/** Index of the first log line containing every part (-1 when none). */
function lineIndex(sup: SupRun, parts: string[]): number {
  return sup.logLines().findIndex((l) => parts.every((p) => l.includes(p)));
}

Deno.test("sup run: health.http makes the job ready (releasing `after`), then restarts it on 500 and on a hang", async () => {
  const port = freeTcpPort();
  await using sup = await startSupProcess((_ports, dir) => ({
    jobs: {
      web: {
        cmd: ["python3", "-u", APP, String(port), `${dir}/mode`],
        health: { http: { url: `http://127.0.0.1:${port}/healthz`, body: "ok" }, ...FAST },
      },
      client: { cmd: ["sleep", "300"], after: ["web"] },
    },
  }));
  const mode = (text: string) => Deno.writeTextFileSync(`${sup.dir}/mode`, text);
  await sup.waitForLog(["Ready (pid", "first passing health check"], "web ready by health");
  await sup.waitForLog(["client", "Started (pid"], "client started after web was ready");
  ok(
    lineIndex(sup, ["first passing health check"]) < lineIndex(sup, ["client", "Started (pid"]),
    "client starts only once web is ready",
  );

  mode("500");
  const restart500 = await sup.waitForLog(
    ["restart [health: http check failed 2 times in a row: status 500 (expected 2xx or 3xx)]"],
    "a restart for status 500",
  );
  ok(restart500.includes("web"), restart500);
  mode("ok");
  // The log line is written when the restart is asked for; the count follows the new spawn.
  await until(
    async () => (await sup.get<JobView>("/api/jobs/web")).restarts === 1,
    "one restart counted",
    10_000,
  );
  let view = await sup.get<JobView>("/api/jobs/web");
  equal(view.restarts, 1);
  equal(view.lastReason?.source, "health");
  // The new run is ready again (failures in its start period did not count); then it hangs.
  await until(async () => (await sup.get<JobView>("/api/jobs/web")).ready, "web ready", 10_000);
  mode("hang");
  await sup.waitForLog(
    ["restart [health: http check failed 2 times in a row: timeout after 300ms]"],
    "a restart for a hung check",
  );
  mode("ok");
  await until(async () => (await sup.get<JobView>("/api/jobs/web")).ready, "web ready", 10_000);
  view = await sup.get<JobView>("/api/jobs/web");
  equal(view.restarts, 2);
  const failed = sup.logLines().filter((l) => l.includes("http check failed 1 time in a row"));
  ok(failed.length >= 2, "each counted failure is logged with its reason");
  const { code } = await sup.stop();
  equal(code, 0);
});

Deno.test("sup run: health.tcp restarts a job whose port closes (connection refused)", async () => {
  const port = freeTcpPort();
  await using sup = await startSupProcess((_ports, dir) => ({
    jobs: {
      db: {
        cmd: ["python3", "-u", APP, String(port), `${dir}/mode`],
        health: { tcp: { port }, ...FAST },
      },
    },
  }));
  await sup.waitForLog(["Ready (pid", "first passing health check"], "db ready by health");
  Deno.writeTextFileSync(`${sup.dir}/mode`, "close");
  await sup.waitForLog(["closed the port"], "the job closed its port");
  const line = await sup.waitForLog(
    ["restart [health: tcp check failed 2 times in a row: connection refused]"],
    "a restart for the closed port",
  );
  ok(line.includes("db"), line);
});

Deno.test("sup run: health.exec restarts a job once its check command starts failing, with its exit code and words", async () => {
  await using sup = await startSupProcess((_ports, dir) => ({
    jobs: {
      worker: {
        cmd: ["sleep", "300"],
        health: {
          exec: {
            cmd: [
              "sh",
              "-c",
              `if [ -e ${dir}/broken ]; then echo "queue is stuck" >&2; exit 4; fi`,
            ],
          },
          ...FAST,
        },
      },
    },
  }));
  await sup.waitForLog(["Ready (pid", "first passing health check"], "worker ready by health");
  Deno.writeTextFileSync(`${sup.dir}/broken`, "");
  await sup.waitForLog(
    ["restart [health: exec check failed 2 times in a row: exit code 4: queue is stuck]"],
    "a restart for the failing command",
  );
  const view = await sup.get<JobView>("/api/jobs/worker");
  equal(view.lastReason?.source, "health");
});
