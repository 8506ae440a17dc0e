/**
 * The HTTP encoding of the app protocol: the routes apps use. Each request
 * becomes an `AppCommand` for the one app command handler, and its reply
 * becomes JSON and a status code:
 * - `GET /config`: the config's `app` section (as ampm serves it);
 * - `POST /api/jobs/:name/heartbeat`: a curl-friendly heartbeat;
 * - `GET|POST /api/apps`, `POST /api/apps/:id/refresh`, `DELETE /api/apps/:id`:
 *   self-registered apps (Digi appmonitor).
 *
 * These routes stay open to apps when the operator side gets logins.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppCommand, AppPeer, AppReply, HandleAppCommand } from "../apps/app_command.ts";
import { unknownApp } from "../apps/app_command_handler.ts";
import { parseRegistration } from "../apps/registration.ts";
import type { RegisteredApp } from "../apps/registry_api.ts";
import { servedAddresses } from "../apps/sender.ts";
import type { ServeInfo } from "../net/listen_slot.ts";

const MAX_BODY_BYTES = 64 * 1024;

/** What the app routes are built on. */
export interface AppRoutesParts {
  /** The one app command handler. */
  handle: HandleAppCommand;
  /** Every registered app (`GET /api/apps`). */
  listApps(): RegisteredApp[];
}

/** HTTP status of each refusal. */
const REFUSAL_STATUS = {
  "unknown-job": 404,
  "not-running": 409,
  "unknown-app": 404,
  "not-allowed": 403,
  "too-many": 429,
  "bad-register": 400,
  "unsupported": 400,
  "failed": 500,
} as const;

/** The routes apps use: `/config`, heartbeats, `/api/apps`. */
export function appRoutes(parts: AppRoutesParts): Hono {
  const { handle, listApps } = parts;
  const app = new Hono();
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ error: `Body is over the ${MAX_BODY_BYTES} byte limit` }, 413),
  });
  const ask = (c: Context, command: AppCommand): AppReply => handle(command, httpPeer(c));

  app.get("/config", (c) => {
    const reply = ask(c, { type: "configRequest" });
    return reply.type === "config" ? c.json(reply.app) : answer(c, reply);
  });
  app.post("/api/jobs/:name/heartbeat", (c) => {
    return answer(c, ask(c, { type: "heartbeat", job: c.req.param("name") }));
  });
  app.get("/api/apps", (c) => c.json(listApps()));
  app.post("/api/apps", limit, async (c) => {
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return c.json({ error: "Body is not JSON (expected {name, timeout, action, ...})" }, 400);
    }
    const parsed = parseRegistration(body);
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    const reply = ask(c, { type: "register", registration: parsed.value });
    return reply.type === "registered" ? c.json(reply.app, 201) : answer(c, reply);
  });
  app.post("/api/apps/:id/refresh", (c) => {
    return answer(c, ask(c, { type: "refresh", id: c.req.param("id") }));
  });
  app.delete("/api/apps/:id", (c) => {
    const id = c.req.param("id");
    const reply = ask(c, { type: "unregister", id });
    if (reply.type !== "unregistered") return answer(c, reply);
    return reply.ok ? c.body(null, 204) : answer(c, unknownApp(id));
  });
  return app;
}

/** 204 for "ok", the refusal's status and `{error}` for a refusal. */
function answer(c: Context, reply: AppReply): Response {
  if (reply.type === "ok") return c.body(null, 204);
  if (reply.type === "refused") return c.json({ error: reply.error }, REFUSAL_STATUS[reply.code]);
  return c.json({ error: `Unexpected answer "${reply.type}"` }, 500);
}

/** The sender of a request, as the HTTP server saw it. */
function httpPeer(c: Context): AppPeer {
  const info = c.env as ServeInfo | undefined;
  const remote = info?.remoteAddr;
  const name = remote?.hostname ? `${remote.hostname}:${remote.port}` : "an HTTP client";
  return { channel: "http", name, job: null, ...servedAddresses(info) };
}
