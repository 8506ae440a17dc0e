/**
 * HTTP routes for self-registering apps (Digi appmonitor) and for what apps
 * ask of sup: `GET /config` (the config's `app` section, as ampm serves it).
 *
 * @module
 */

import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { type AppChannelContext, AppNotAllowedError } from "../apps/app_context.ts";
import { parseRegistration } from "../apps/registration.ts";

const MAX_BODY_BYTES = 64 * 1024;

/** Routes `/config` and `/api/apps`. */
export function appRoutes(ctx: AppChannelContext): Hono {
  const app = new Hono();
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ error: `Body is over the ${MAX_BODY_BYTES} byte limit` }, 413),
  });

  app.get("/config", (c) => c.json(ctx.api.config().app));

  app.get("/api/apps", (c) => c.json(ctx.apps.list()));

  app.post("/api/apps", limit, async (c) => {
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return c.json({ error: "Body is not JSON (expected {name, timeout, action, ...})" }, 400);
    }
    const parsed = parseRegistration(body);
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    try {
      return c.json(ctx.apps.register(parsed.value), 201);
    } catch (error) {
      if (error instanceof AppNotAllowedError) return c.json({ error: error.message }, 403);
      if (error instanceof RangeError) return c.json({ error: error.message }, 400);
      throw error;
    }
  });

  app.post("/api/apps/:id/refresh", (c) => {
    const id = c.req.param("id");
    return ctx.apps.refresh(id)
      ? c.body(null, 204)
      : c.json({ error: `No registered app with id "${id}"` }, 404);
  });

  app.delete("/api/apps/:id", (c) => {
    const id = c.req.param("id");
    return ctx.apps.unregister(id)
      ? c.body(null, 204)
      : c.json({ error: `No registered app with id "${id}"` }, 404);
  });

  return app;
}
