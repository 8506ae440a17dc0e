/**
 * The HTTP routes operators use: status, job actions, output, and channel
 * counters. Every action goes through the one `SupervisorApi` path with
 * reason `{source: "manual"}`. Built on the supervisor API only (plus what
 * else status shows, passed in as functions), so the coming logins guard
 * this side without touching the routes apps use. The `sup` CLI's routes
 * (`control_routes.ts`) and the log and event streams are built on their
 * first request: a sup nobody asks costs nothing for them.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import { lazyImport } from "../config/lazy_import.ts";
import { type SupervisorApi, UnknownJobError } from "../core/api.ts";
import type { EventHistory } from "../core/event_history.ts";
import type { ControlRoutesParts } from "./control_routes.ts";
import { trackHealth } from "./job_health.ts";

const MAX_OUTPUT_LINES = 1000;

/** What the operator routes show besides the jobs. */
export interface OperatorRoutesParts {
  /** The supervisor: status, actions, output. */
  api: SupervisorApi;
  /** Self-registered apps, listed in `GET /api/status`. */
  listApps(): unknown[];
  /** Counters of the app channels, served at `GET /api/channels` (e.g. `{ websocket: () => ws.stats() }`). */
  channels?: Record<string, () => unknown>;
  /** Recent events for `GET /api/events` (issue 10, streaming). @default live events only */
  events?: EventHistory;
  // The control commands' routes (`/api/control/...`)
  /** What the `sup` CLI's routes need; without it they are not served. @default none */
  control?: Omit<ControlRoutesParts, "api">;
}

/** The JSON 404 of the operator side: no route answers `c`'s method and path. */
export function noRoute(c: Context): Response {
  return c.json({ error: `No route for ${c.req.method} ${c.req.path}` }, 404);
}

/**
 * Answers `/api/control/*` with the control routes, imported and built on
 * the first request. The job health the status rows show is tracked from
 * now on (`trackHealth`), before anyone asks. What no control route
 * answers, and what fails in one, is handled as on the rest of the
 * operator side.
 */
function controlForwarder(parts: ControlRoutesParts) {
  const health = trackHealth(parts.api.bus);
  let routes: Promise<Hono> | null = null;
  return async (c: Context): Promise<Response> => {
    routes ??= lazyImport<typeof import("./control_routes.ts")>(
      new URL("./control_routes.ts", import.meta.url),
    ).then((m) =>
      m.controlRoutes({ ...parts, health }).notFound(noRoute).onError((error) => {
        throw error;
      })
    );
    return await (await routes).fetch(c.req.raw);
  };
}

/** Routes `/api/status`, `/api/channels` and `/api/jobs` (but not heartbeats, which apps send). */
export function operatorRoutes(parts: OperatorRoutesParts): Hono {
  const { api, listApps, channels = {} } = parts;
  const app = new Hono();
  // The control commands' routes, built on the first request for one.
  if (parts.control) app.all("/api/control/*", controlForwarder({ api, ...parts.control }));
  const unknown = (name: string) => ({ error: `No job named "${name}"` });
  app.get("/api/status", (c) => c.json({ jobs: api.status(), apps: listApps() }));
  app.get("/api/channels", (c) => {
    const stats: Record<string, unknown> = {};
    for (const [name, read] of Object.entries(channels)) stats[name] = read();
    return c.json(stats);
  });
  app.get("/api/jobs", (c) => c.json(api.status()));
  app.get("/api/jobs/:name", (c) => {
    const name = c.req.param("name");
    const status = api.jobStatus(name);
    return status ? c.json(status) : c.json(unknown(name), 404);
  });
  app.post("/api/jobs/:name/start", (c) => {
    const name = c.req.param("name");
    return act(name, () => api.start(name, { source: "manual", detail: "HTTP API" }));
  });
  app.post("/api/jobs/:name/restart", (c) => {
    const name = c.req.param("name");
    return act(name, () => api.restart(name, { source: "manual", detail: "HTTP API" }));
  });
  app.post("/api/jobs/:name/stop", (c) => {
    const name = c.req.param("name");
    return act(name, () => api.stop(name, { source: "manual", detail: "HTTP API" }));
  });
  app.get("/api/jobs/:name/output", (c) => {
    const name = c.req.param("name");
    if (!api.jobStatus(name)) return c.json(unknown(name), 404);
    const raw = c.req.query("lines");
    const lines = raw === undefined ? 100 : Number(raw);
    if (!Number.isInteger(lines) || lines < 1 || lines > MAX_OUTPUT_LINES) {
      return c.json({
        error: `lines: "${raw}" is not a line count (whole number 1-${MAX_OUTPUT_LINES})`,
      }, 400);
    }
    return c.json({ job: name, lines: api.outputTail(name, lines) });
  });
  // Issue 10, streaming: GET /api/logs and /api/events (NDJSON, history then live); the
  // module loads with the first stream asked for (a plain sup never pays for it).
  let streams: Promise<Hono> | null = null;
  const stream = async (c: { req: { raw: Request } }) => {
    streams ??= lazyImport<typeof import("./stream_routes.ts")>(
      new URL("./stream_routes.ts", import.meta.url),
    ).then((m) => m.streamRoutes({ api, events: parts.events }));
    return (await streams).fetch(c.req.raw);
  };
  app.get("/api/logs", stream);
  app.get("/api/events", stream);

  /** Runs an action; answers with the job's status after it, or 404. */
  async function act(name: string, action: () => void | Promise<void>): Promise<Response> {
    if (!api.jobStatus(name)) return Response.json(unknown(name), { status: 404 });
    try {
      await action();
    } catch (error) {
      if (error instanceof UnknownJobError) return Response.json(unknown(name), { status: 404 });
      throw error;
    }
    return Response.json(api.jobStatus(name) ?? unknown(name));
  }
  return app;
}
