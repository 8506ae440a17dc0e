/**
 * HTTP routes about jobs: status, actions, output, heartbeats. Every action
 * goes through the one `SupervisorApi` path with reason `{source: "manual"}`
 * (heartbeats through the channel context, like every other channel).
 *
 * @module
 */

import { Hono } from "hono";
import type { AppChannelContext } from "../apps/app_context.ts";
import { UnknownJobError } from "../core/api.ts";

const MAX_OUTPUT_LINES = 1000;

/** Routes under `/api/jobs` and `/api/status`. */
export function jobRoutes(ctx: AppChannelContext): Hono {
  const app = new Hono();
  const { api } = ctx;
  const unknown = (name: string) => ({ error: `No job named "${name}"` });

  app.get("/api/status", (c) => c.json({ jobs: api.status(), apps: ctx.apps.list() }));

  app.get("/api/jobs", (c) => c.json(api.status()));

  app.get("/api/jobs/:name", (c) => {
    const name = c.req.param("name");
    const status = api.jobStatus(name);
    return status ? c.json(status) : c.json(unknown(name), 404);
  });

  app.post("/api/jobs/:name/heartbeat", (c) => {
    const name = c.req.param("name");
    if (!api.jobStatus(name)) return c.json(unknown(name), 404);
    if (!ctx.heartbeat(name)) {
      return c.json({ error: `Job "${name}" is not running; heartbeat ignored` }, 409);
    }
    return c.body(null, 204);
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
