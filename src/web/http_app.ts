/**
 * The HTTP API on `network.http` (default 127.0.0.1:8888): job status and
 * actions, curl-friendly heartbeats, self-registered apps and `GET /config`.
 * Errors are JSON `{ "error": "..." }`.
 *
 * Requests that change something (POST, PUT, PATCH, DELETE) sent by a web
 * page of another origin are refused, so a page open in a kiosk browser
 * cannot stop jobs through `127.0.0.1`; curl and other programs send no
 * `Origin` and are served.
 *
 * @module
 */

import { Hono } from "hono";
import type { MiddlewareHandler } from "hono";
import type { AppChannelContext } from "../apps/app_context.ts";
import { appRoutes } from "./app_routes.ts";
import { jobRoutes } from "./job_routes.ts";

/**
 * Builds the HTTP API; test it with `app.request()` or serve it with
 * `WebService`. `channels` feed `GET /api/channels` (frames, heartbeats and
 * refusals counted per channel).
 */
export function createHttpApp(
  ctx: AppChannelContext,
  channels: Record<string, () => unknown> = {},
): Hono {
  const app = new Hono();
  app.use(refuseCrossOriginWrites);
  app.get("/api/channels", (c) => {
    const stats: Record<string, unknown> = {};
    for (const [name, read] of Object.entries(channels)) stats[name] = read();
    return c.json(stats);
  });
  app.route("/", jobRoutes(ctx));
  app.route("/", appRoutes(ctx));
  app.notFound((c) => c.json({ error: `No route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    console.error(`HTTP API: ${c.req.method} ${c.req.path} failed:`, error);
    return c.json({ error: error instanceof Error ? error.message : String(error) }, 500);
  });
  return app;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** 403 for a write whose `Origin` is not the API's own host. */
export const refuseCrossOriginWrites: MiddlewareHandler = async (c, next) => {
  const origin = c.req.header("origin");
  if (origin !== undefined && !SAFE_METHODS.has(c.req.method)) {
    let host: string | null = null;
    try {
      host = new URL(origin).host;
    } catch {
      // "null" (file://, sandboxed pages) and garbage are cross-origin.
    }
    if (host === null || host !== c.req.header("host")) {
      return c.json({
        error: `Refused ${c.req.method} ${c.req.path} from the web page at ${
          JSON.stringify(origin)
        }: cross-origin writes are not allowed`,
      }, 403);
    }
  }
  await next();
};
