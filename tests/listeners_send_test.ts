/**
 * A plugin answers apps (ampm's plugins): it reacts to an app's custom
 * message (`app.message`) and answers with `ctx.send(job, data)`, which
 * reaches the app over the channel it uses: a `message` frame on its
 * WebSocket, an OSC message to the apps' port once the app has talked OSC.
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import { encodeOscMessage } from "../src/channels/osc_encode.ts";
import type { ResolvedListener } from "../src/config/resolved_listeners.ts";
import type { PluginContext } from "../src/notify/listener.ts";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { startInProcessSup } from "./support/in_process_sup.ts";
import { udpClient } from "./support/udp_client.ts";
import { openSocket } from "./support/ws.ts";

Deno.test({
  name: "a plugin answers an app's message over WebSocket and over OSC with ctx.send",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const results: [string, boolean][] = [];
    const setup = (ctx: PluginContext) =>
      ctx.on("app.message", (event) => {
        const job = event.job ?? "web";
        results.push([
          `${event.channel} ${event.address}`,
          ctx.send(job, {
            address: "/pong",
            args: [event.channel, ...(event.args as string[])],
          }),
        ]);
        results.push(["nobody", ctx.send("db", "hello?")]);
      });
    const plugin: ResolvedListener = {
      type: "plugin",
      name: "echo",
      setup: setup as (ctx: never) => unknown,
      timeoutMs: 1000,
      queueSize: 100,
    };
    await using app = await udpClient();
    await using sup = await startInProcessSup({
      jobs: () => [
        // The only job with a heartbeat: what an OSC message naming no job is about.
        resolvedJob("web", ["sleep", "60"], {
          heartbeat: { timeoutMs: 60_000, startupTimeoutMs: 60_000, action: "none" },
        }),
        resolvedJob("db", ["sleep", "60"]),
      ],
      appPort: app.port,
      listeners: [plugin],
    });
    await using socket = await openSocket(`${sup.wsUrl}?job=web`);
    socket.ws.send(JSON.stringify({ type: "message", to: "*", data: "ping" }));
    const frame = await socket.next((f) => f.type === "message");
    deepStrictEqual(frame, {
      type: "message",
      from: null,
      to: "web",
      data: { address: "/pong", args: ["websocket", "ping"] },
    });

    await app.send(encodeOscMessage("/ping", ["hi"]), sup.ports.osc);
    const pong = await app.next("/pong");
    deepStrictEqual(pong.args, ["osc", "hi"]);
    deepStrictEqual(results, [
      ["websocket *", true],
      ["nobody", false],
      ["osc /ping", true],
      ["nobody", false],
    ]);
    equal(sup.log.all("listener.failed").length, 0);
  },
});
