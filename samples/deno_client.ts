/**
 * A Deno app that talks to sup with "sup/client": heartbeats, a log line,
 * an analytics event, and the `app` config. Run it as a sup job:
 *
 * ```ts
 * jobs: { worker: { cmd: "deno run -A samples/deno_client.ts", heartbeat: { timeout: "5s" } } }
 * ```
 *
 * sup gives every job `SUP_WS_URL` and `SUP_JOB`, and `connect()` reads them:
 * nothing to configure. `HEARTBEAT_MS` sets the interval (default 1000).
 *
 * @module
 */

import { connect } from "sup/client";

const sup = connect(); // $SUP_WS_URL and $SUP_JOB, set by sup
const interval = Number(Deno.env.get("HEARTBEAT_MS") ?? 1000);

await sup.opened();
const stopHeartbeat = sup.startHeartbeat(interval);
const settings = await sup.config();
sup.log(
  "info",
  `deno sample started (pid ${Deno.pid}), config keys: ${Object.keys(settings).join(",")}`,
);
sup.event("sample", "started", "deno", 1);
sup.onMessage((data, from) => sup.log("info", `message from ${from}: ${JSON.stringify(data)}`));

function shutdown(): void {
  stopHeartbeat();
  sup.close();
  Deno.exit(0);
}
Deno.addSignalListener("SIGTERM", shutdown);
Deno.addSignalListener("SIGINT", shutdown);
