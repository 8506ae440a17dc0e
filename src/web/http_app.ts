/**
 * The HTTP API on `network.http` (default 127.0.0.1:8888): two Hono apps
 * behind one front. App routes (`app_routes.ts`: `GET /config`, heartbeats,
 * `/api/apps`) are tried first; every other request goes to the operator
 * routes (`operator_routes.ts`: status, actions, output), whose middleware
 * (`operatorGuard`, the coming logins) never sees a request apps make.
 * Errors are JSON `{ "error": "..." }`.
 *
 * Every request must name a `Host` the API serves (`host_guard.ts`, 421
 * otherwise: DNS rebinding).
 *
 * Requests that change something (POST, PUT, PATCH, DELETE) sent by a web
 * page of another origin are refused on both sides, so a page open in a
 * kiosk browser cannot stop jobs through `127.0.0.1`; curl and other
 * programs send no `Origin` and are served.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import type { MiddlewareHandler } from "hono";
import type { HandleAppCommand } from "../apps/app_command.ts";
import type { RegisteredApp } from "../apps/registry_api.ts";
import type { SupervisorApi } from "../core/api.ts";
import type { EventHistory } from "../core/event_history.ts";
import { appRoutes } from "./app_routes.ts";
import { hostGuard } from "./host_guard.ts";
import { noRoute, operatorRoutes, type OperatorRoutesParts } from "./operator_routes.ts";

/** What the HTTP API is built on. */
export interface HttpAppParts {
  /** The supervisor (operator routes). */
  api: SupervisorApi;
  /** The one app command handler (app routes). */
  handle: HandleAppCommand;
  /** Every registered app (`GET /api/apps`, `GET /api/status`). */
  listApps(): RegisteredApp[];
  /** Counters of the app channels, served at `GET /api/channels` (e.g. `{ websocket: () => ws.stats() }`). */
  channels?: Record<string, () => unknown>;
  /** Middleware run before every operator route and never before an app route. @default none */
  operatorGuard?: MiddlewareHandler;
  /** Recent events for `GET /api/events`. @default live events only */
  events?: EventHistory;
  /** The `sup` CLI's routes (issue 10). @default none */
  control?: OperatorRoutesParts["control"];
}

/** Builds the HTTP API; test it with `app.request()` or serve it with `HttpServer`. */
export function createHttpApp(parts: HttpAppParts): Hono {
  const { api, handle, listApps, channels, control } = parts;
  const operator = new Hono();
  if (parts.operatorGuard) operator.use(parts.operatorGuard);
  operator.route("/", operatorRoutes({ api, listApps, channels, control, events: parts.events }));
  operator.notFound(noRoute);
  operator.onError(failed);

  const app = new Hono();
  app.use(hostGuard(() => api.config().network.http));
  app.use(refuseCrossOriginWrites);
  app.route("/", appRoutes({ handle, listApps }));
  // Whatever no route of `app` answers goes to the operator side, so routes added to `app`
  // later (`/metrics`, `/healthz`) are served before it, without its guard.
  app.notFound((c) => operator.fetch(c.req.raw, c.env));
  app.onError(failed);
  return app;
}

function failed(error: Error, c: Context): Response {
  console.error(`HTTP API: ${c.req.method} ${c.req.path} failed:`, error);
  return c.json({ error: error instanceof Error ? error.message : String(error) }, 500);
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
