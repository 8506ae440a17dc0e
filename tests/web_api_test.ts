import { deepStrictEqual, equal } from "node:assert/strict";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { freeTcpPort, startLiveSup } from "./support/live_sup.ts";

const heartbeat = { timeoutMs: 30_000, startupTimeoutMs: 60_000, action: "restart" as const };

/** A bare request, as `curl -X POST URL` sends it: no body, no content type. */
async function bare(method: string, url: string): Promise<{ code: number; out: string }> {
  try {
    const response = await fetch(url, { method });
    return { code: response.status, out: await response.text() };
  } catch {
    return { code: 0, out: "" };
  }
}

Deno.test("a bare POST heartbeats a job and GET /config answers on sup's real HTTP port", async () => {
  await using sup = await startLiveSup({
    jobs: () => [resolvedJob("kiosk", ["sleep", "300"], { heartbeat })],
    app: { volume: 7 },
  });
  await sup.log.waitFor((e) => e.type === "job.spawned" && e.job === "kiosk", "kiosk spawned");
  deepStrictEqual(await bare("POST", `${sup.httpUrl}/api/jobs/kiosk/heartbeat`), {
    code: 204,
    out: "",
  });
  await sup.log.waitFor((e) => e.type === "job.ready" && e.job === "kiosk", "kiosk ready");
  deepStrictEqual(await bare("GET", `${sup.httpUrl}/config`), { code: 200, out: '{"volume":7}' });
  const missing = await bare("POST", `${sup.httpUrl}/api/jobs/ghost/heartbeat`);
  deepStrictEqual(missing, { code: 404, out: '{"error":"No job named \\"ghost\\""}' });
});

Deno.test("a new network.http address in a reloaded config moves the HTTP listener", async () => {
  await using sup = await startLiveSup({ jobs: () => [resolvedJob("idle", ["sleep", "300"])] });
  const before = sup.web.addr!.port;
  const port = freeTcpPort();
  const next = {
    ...sup.config,
    network: { ...sup.config.network, http: { ...sup.config.network.http, port } },
  };
  await sup.web.apply(next);
  equal(sup.web.addr!.port, port);
  equal((await bare("GET", `http://127.0.0.1:${port}/config`)).code, 200);
  equal((await bare("GET", `http://127.0.0.1:${before}/config`)).code, 0);
});
