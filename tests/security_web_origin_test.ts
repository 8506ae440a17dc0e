/**
 * A web page from another origin, in real headless Chromium, against sup:
 * its WebSocket to the app channel is refused (403 naming
 * `network.websocket.origins`), its POSTs to operator and app routes are
 * refused (403), and a `file://`-like page (Origin "null") connects only
 * when "null" is listed.
 */

import { equal, ok } from "node:assert/strict";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { launchChromium } from "./support/chromium.ts";
import { startLiveSup } from "./support/live_sup.ts";

/** What the page tries: a WebSocket, a POST that stops a job, a POST that registers a kill. */
function attackPage(http: string, ws: string): string {
  return `<!doctype html><title>attack</title><script>
  window.result = new Promise((resolve) => {
    const out = { ws: "pending" };
    const sock = new WebSocket(${JSON.stringify(ws)});
    sock.onopen = () => { out.ws = "open"; sock.send('{"type":"restart"}'); };
    sock.onclose = () => { if (out.ws === "pending") out.ws = "refused"; };
    const body = JSON.stringify({ name: "evil", timeout: "1s", action: "kill", pid: 1 });
    Promise.allSettled([
      fetch(${JSON.stringify(http)} + "/api/jobs/kiosk/stop", { method: "POST", mode: "no-cors" }),
      fetch(${JSON.stringify(http)} + "/api/apps", { method: "POST", mode: "no-cors", body }),
    ]).then(() => setTimeout(() => resolve(out), 1500));
  });
  </script>`;
}

const jobs = () => [resolvedJob("kiosk", ["sleep", "300"])];

Deno.test("a page from another origin cannot open the app WebSocket nor POST to sup", async () => {
  await using sup = await startLiveSup({ jobs });
  await sup.log.waitFor((e) => e.type === "job.spawned" && e.job === "kiosk", "kiosk spawned");
  const html = attackPage(sup.httpUrl, `${sup.wsUrl}?job=kiosk`);
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } }),
  );
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const posts: number[] = [];
    page.on("response", (r) => {
      if (r.url().startsWith(sup.httpUrl)) posts.push(r.status());
    });
    await page.goto(`http://127.0.0.1:${server.addr.port}/`);
    const result = await page.evaluate("window.result") as { ws: string };
    equal(result.ws, "refused");
    const stats = sup.ws.stats();
    equal(stats.rejectedBy.origin, 1);
    equal(stats.connections, 0);
    const refusal = sup.log.events.find((e) =>
      e.type === "channel.rejected" && e.reason.startsWith("origin")
    );
    ok(
      refusal?.type === "channel.rejected" && refusal.reason.includes("network.websocket.origins"),
    );
    equal(sup.api.jobStatus("kiosk")?.state, "running");
    equal(sup.api.jobStatus("kiosk")?.restarts, 0);
    equal(sup.side.apps.list().length, 0);
    equal(posts.join(), "403,403");
  } finally {
    await browser.close();
  }
});

Deno.test("a file:// page (Origin null) connects only when network.websocket.origins lists null", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-origin-" });
  for (const origins of [[], ["null"]]) {
    await using sup = await startLiveSup({ jobs, websocket: { origins } });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await Deno.writeTextFile(
        `${dir}/page.html`,
        attackPage(sup.httpUrl, `${sup.wsUrl}?job=kiosk`),
      );
      await page.goto(`file://${dir}/page.html`);
      const result = await page.evaluate("window.result") as { ws: string };
      const stats = sup.ws.stats();
      equal(result.ws, origins.length === 0 ? "refused" : "open", JSON.stringify(stats));
      equal(stats.rejectedBy.origin ?? 0, origins.length === 0 ? 1 : 0);
      // A listed origin may connect; writes over HTTP from it stay refused.
      equal(sup.side.apps.list().length, 0);
    } finally {
      await browser.close();
    }
  }
  await Deno.remove(dir, { recursive: true });
});
