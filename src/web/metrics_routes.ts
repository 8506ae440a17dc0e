/**
 * `GET /metrics` (Prometheus) and `GET /healthz` (sup itself) on the HTTP
 * API, a `Component` of `sup run`. Both are open to whoever reaches the API
 * (Prometheus and load balancers scrape without a token) unless
 * `network.http.metrics` is "token", read per request so a reload applies
 * at once; then they take the operator guard.
 *
 * The exporter (`metrics_exporter.ts`) is imported the first time
 * `/metrics` is read; what it reports from events
 * (`metrics_counters.ts`) is counted from sup's start.
 *
 * `/healthz` answers 200 `{"status":"ok", ...}` while sup runs its jobs,
 * and 503 with `"starting"` before it has started them or `"stopping"` once
 * it stops (so a load balancer stops sending work before sup goes away).
 *
 * @module
 */

import { type Context, Hono, type MiddlewareHandler } from "hono";
import { getLogger } from "@logtape/logtape";
import type { SupervisorApi } from "../core/api.ts";
import type { Component } from "../core/component.ts";
import type { ChannelCounts, MetricsCounters } from "./metrics_counters.ts";
import type { MetricsExporter } from "./metrics_exporter.ts";
import { lazyImport } from "../config/lazy_import.ts";

const log = getLogger(["sup", "metrics"]);

/** What the endpoints are built on. */
export interface MetricsRoutesParts {
  /** The running config (`network.http.metrics`), job statuses and runs. */
  api: Pick<SupervisorApi, "config" | "status" | "runs">;
  /** Counts from events since sup started (closed with the endpoint). */
  counters: MetricsCounters;
  /** When the last heartbeat of the job arrived (ms since epoch), or null. */
  lastHeartbeat(job: string): number | null;
  /** The app channels' counters, by channel name. */
  channels(): Record<string, ChannelCounts>;
  /** The operator guard, taken when `network.http.metrics` is "token"; none leaves them open. */
  operatorGuard?: MiddlewareHandler;
}

/** The endpoints and the exporter behind them. */
export class MetricsEndpoint implements Component {
  /** `GET /metrics` and `GET /healthz`, to mount on the HTTP API before it first answers. */
  readonly routes: Hono;
  #parts: MetricsRoutesParts;
  #exporter: Promise<MetricsExporter> | null = null;

  /** Builds the routes; nothing heavy is loaded until `/metrics` is read. */
  constructor(parts: MetricsRoutesParts) {
    this.#parts = parts;
    this.routes = new Hono();
    const access: MiddlewareHandler = async (c, next) => {
      const guard = parts.operatorGuard;
      if (guard && this.#access() === "token") return guard(c, next);
      await next();
    };
    this.routes.get("/metrics", access, (c) => this.#metrics(c));
    this.routes.get("/healthz", access, (c) => this.#healthz(c));
  }

  /** True once `/metrics` has been read (the exporter is loaded, or loading). */
  get loaded(): boolean {
    return this.#exporter !== null;
  }

  /** Nothing to follow: the access setting is read per request. */
  apply(): void {}

  /** Stops counting and the exporter's sampler. */
  async close(): Promise<void> {
    this.#parts.counters.close();
    const exporter = await this.#exporter?.catch(() => null);
    exporter?.close();
  }

  /** `network.http.metrics`; "token" before sup has a config (fail closed). */
  #access(): string {
    try {
      return this.#parts.api.config().network.http.metrics;
    } catch {
      return "token";
    }
  }

  async #metrics(c: Context): Promise<Response> {
    try {
      this.#exporter ??= lazyImport<typeof import("./metrics_exporter.ts")>(
        new URL("./metrics_exporter.ts", import.meta.url),
      ).then((m) => new m.MetricsExporter(this.#parts));
      const exporter = await this.#exporter;
      const body = await exporter.render();
      return c.body(body, 200, { "Content-Type": exporter.contentType });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.error(`GET /metrics failed: ${message}`);
      if (this.#exporter && !(await this.#exporter.then(() => true, () => false))) {
        this.#exporter = null; // the import failed: try again on the next scrape
      }
      return c.json({ error: `Cannot render the metrics: ${message}` }, 500);
    }
  }

  #healthz(c: Context): Response {
    const { counters, api } = this.#parts;
    const phase = counters.phase;
    const status = phase === "running" ? "ok" : phase;
    const jobs = api.status();
    const count = (pred: (s: (typeof jobs)[number]) => boolean) => jobs.filter(pred).length;
    return c.json({
      status,
      pid: Deno.pid,
      uptimeSeconds: Math.round(performance.now()) / 1000,
      jobs: {
        total: jobs.length,
        running: count((s) => s.state === "running"),
        ready: count((s) => s.ready),
        fatal: count((s) => s.state === "fatal"),
        disabled: count((s) => s.disabled),
      },
    }, status === "ok" ? 200 : 503);
  }
}
