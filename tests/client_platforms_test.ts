import { equal, ok } from "node:assert/strict";
import type { EventOf } from "../src/core/events.ts";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { launchChromium } from "./support/chromium.ts";
import { startLiveSup } from "./support/live_sup.ts";

const CLIENT = new URL("../src/client.ts", import.meta.url).pathname;
const heartbeat = { timeoutMs: 30_000, startupTimeoutMs: 60_000, action: "restart" as const };

/** sup/client as one JavaScript module, the way a browser or Node app would ship it. */
async function bundleClient(dir: string): Promise<string> {
  const out = `${dir}/client.js`;
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--platform", "browser", "-o", out, CLIENT],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) throw new Error(new TextDecoder().decode(result.stderr));
  return out;
}

Deno.test("sup/client bundled for the browser heartbeats a job and reads config from Chromium", async () => {
  const browser = await launchChromium(); // first: a missing Chromium leaves no temp folder
  const dir = await Deno.makeTempDir({ prefix: "sup-client-browser-" });
  try {
    const client = await Deno.readTextFile(await bundleClient(dir));
    const page = `<!doctype html><title>client</title><pre id="out"></pre>
<script type="module">
  import { connect } from "./client.js";
  const params = new URLSearchParams(location.search);
  const sup = connect({ url: params.get("ws"), job: "kiosk" });
  await sup.opened();
  sup.startHeartbeat(50);
  sup.log("info", "from the browser bundle");
  document.getElementById("out").textContent = JSON.stringify(await sup.config());
</script>`;
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req) =>
        new URL(req.url).pathname === "/client.js"
          ? new Response(client, { headers: { "content-type": "text/javascript" } })
          : new Response(page, { headers: { "content-type": "text/html" } }),
    );
    await using sup = await startLiveSup({
      jobs: () => [resolvedJob("kiosk", ["sleep", "300"], { heartbeat })],
      app: { lang: "fr" },
      // The page is served from another origin: listed, so it may connect.
      websocket: { origins: [`http://127.0.0.1:${server.addr.port}`] },
    });
    const tab = await browser.newPage();
    await tab.goto(`http://127.0.0.1:${server.addr.port}/?ws=${encodeURIComponent(sup.wsUrl)}`);
    await sup.log.waitFor((e) => e.type === "job.ready" && e.job === "kiosk", "kiosk ready");
    const log = await sup.log.waitFor<EventOf<"app.log">>((e) => e.type === "app.log", "app.log");
    equal(log.message, "from the browser bundle");
    await tab.waitForSelector("#out:has-text('fr')", { timeout: 10_000 });
    equal(await tab.textContent("#out"), '{"lang":"fr"}');
  } finally {
    await browser.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sup/client runs under Node and heartbeats a job", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-client-node-" });
  try {
    await using sup = await startLiveSup({
      jobs: () => [resolvedJob("worker", ["sleep", "300"], { heartbeat })],
    });
    const client = await bundleClient(dir);
    const script = `${dir}/app.mjs`;
    await Deno.writeTextFile(
      script,
      `import { connect } from ${JSON.stringify(client)};
const sup = connect({ url: process.argv[2], job: "worker" });
await sup.opened();
sup.heartbeat();
sup.event("node", "started", process.version, 1);
const config = await sup.config();
console.log(JSON.stringify(config));
sup.close();
`,
    );
    // Node 22+ has a global WebSocket; Node 20 has it behind a flag.
    const version = await new Deno.Command("node", { args: ["--version"], stdout: "piped" })
      .output();
    const major = Number(new TextDecoder().decode(version.stdout).slice(1).split(".")[0]);
    const flags = major < 22 ? ["--experimental-websocket", "--no-warnings"] : [];
    const run = await new Deno.Command("node", {
      args: [...flags, script, sup.wsUrl],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(20_000),
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    ok(run.success, `node failed: ${stderr}`);
    equal(new TextDecoder().decode(run.stdout).trim(), "{}");
    await sup.log.waitFor((e) => e.type === "job.ready" && e.job === "worker", "worker ready");
    await sup.log.waitFor(
      (e) => e.type === "app.event" && e.category === "node" && e.job === "worker",
      "the Node app's event",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
