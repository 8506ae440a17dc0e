import { equal, match } from "node:assert/strict";
import { until } from "../src/testing/wait.ts";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { launchChromium } from "./support/chromium.ts";
import { startLiveSup } from "./support/live_sup.ts";

const PAGE = new URL("../samples/web_heartbeat.html", import.meta.url);

Deno.test("the sample web page in headless Chromium heartbeats a job and logs over WebSocket", async () => {
  // Serve the page over HTTP like a kiosk would load it (not file://).
  const html = await Deno.readTextFile(PAGE);
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } }),
  );
  await using sup = await startLiveSup({
    jobs: () => [
      resolvedJob("kiosk", ["sleep", "300"], {
        heartbeat: { timeoutMs: 30_000, startupTimeoutMs: 60_000, action: "restart" },
      }),
    ],
    app: { theme: "dark" },
    // A page served from elsewhere connects only when its origin is listed.
    websocket: { origins: [`http://127.0.0.1:${server.addr.port}`] },
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const query = new URLSearchParams({ ws: sup.wsUrl, job: "kiosk", interval: "50" });
    await page.goto(`http://127.0.0.1:${server.addr.port}/?${query}`);
    const ready = await sup.log.waitFor(
      (e) => e.type === "job.ready" && e.job === "kiosk",
      "kiosk ready",
    );
    equal(ready.type === "job.ready" && ready.pid, sup.api.jobStatus("kiosk")?.pid);
    const log = await sup.log.waitFor(
      (e) => e.type === "app.log" && e.job === "kiosk",
      "the page's log line",
    );
    match(log.type === "app.log" ? log.message : "", /^web page loaded: .*Chrome/);
    // Heartbeats keep coming and are counted.
    await page.waitForFunction(
      'Number(document.getElementById("beats").textContent) >= 5',
      null,
      {
        timeout: 10_000,
      },
    );
    // The page counts what it sent; sup counts what arrived (frames may still be in flight).
    await until(() => sup.ws.stats().heartbeats >= 5, "sup counting the page's 5 heartbeats");
    equal(await page.textContent("#config"), '{"theme":"dark"}');
    await page.click("#tap");
    await sup.log.waitFor(
      (e) => e.type === "app.event" && e.job === "kiosk" && e.action === "tap",
      "the page's event",
    );
    equal(sup.ws.stats().badFrames, 0);
  } finally {
    await browser.close();
  }
});
