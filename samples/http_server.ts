/**
 * A tiny HTTP server for the example config: answers `GET /` with a line of
 * text and its uptime. Port from `PORT` (default 8080).
 *
 * Run: deno run --allow-net --allow-env samples/http_server.ts
 */

const port = Number(Deno.env.get("PORT") ?? 8080);
const started = Date.now();
let requests = 0;

Deno.serve({
  port,
  hostname: "127.0.0.1",
  onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}/`),
}, () => {
  requests++;
  const uptime = ((Date.now() - started) / 1000).toFixed(1);
  return new Response(`hello from pid ${Deno.pid}: up ${uptime}s, ${requests} requests\n`);
});

// sup stops a job with SIGTERM (its killSignal): finish politely.
Deno.addSignalListener("SIGTERM", () => {
  console.log("SIGTERM: shutting down");
  Deno.exit(0);
});
