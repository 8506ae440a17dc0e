/**
 * Wires the monitoring features of `sup run` (issue 10): `GET /metrics` and
 * `GET /healthz` on the HTTP API (`web/metrics_routes.ts`), and pmtr's UDP
 * report and control (`control/pmtr.ts`, imported only when the config sets
 * `network.report` or `network.control`). The control port's counters are
 * made here, so `/metrics` reads them without loading the control code.
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";
import type { Component } from "../core/component.ts";
import { lazyComponent } from "../core/lazy_component.ts";
import { newControlStats } from "../control/pmtr_stats.ts";
import { type ChannelCounts, MetricsCounters } from "../web/metrics_counters.ts";
import { MetricsEndpoint } from "../web/metrics_routes.ts";
import { requireOperatorToken } from "../web/operator_token.ts";
import type { AppSide, ComponentParts } from "./components.ts";
import { lazyImport } from "../config/lazy_import.ts";

/** The monitoring components, each under its anchor in `defaultComponents`. */
export interface Monitoring {
  /** `/metrics` and `/healthz`, mounted on the HTTP API. */
  metrics: MetricsEndpoint;
  /** pmtr's report and control, loaded when the config asks for them. */
  pmtr: Component;
}

/** True when `config` asks for pmtr's report or control. */
export function needsPmtr(config: ResolvedConfig): boolean {
  return config.network.report.length > 0 || config.network.control !== null;
}

/** Builds them on the app side (before the HTTP API first answers, so the routes can be added). */
export function buildMonitoring(parts: ComponentParts, side: AppSide): Monitoring {
  const { api } = parts;
  const control = newControlStats();
  const metrics = new MetricsEndpoint({
    api,
    counters: new MetricsCounters(api.bus),
    lastHeartbeat: (job) => side.watchdog.info(job)?.lastSeen ?? null,
    channels: (): Record<string, ChannelCounts> => {
      const osc = side.osc.stats();
      const ws = side.websocket.stats();
      return {
        osc: { received: osc.received, heartbeats: osc.heartbeats, rejectedBy: osc.rejectedBy },
        websocket: { received: ws.frames, heartbeats: ws.heartbeats, rejectedBy: ws.rejectedBy },
        control: { received: control.received, heartbeats: null, rejectedBy: control.rejectedBy },
      };
    },
    operatorGuard: parts.operatorToken ? requireOperatorToken(parts.operatorToken) : undefined,
  });
  side.http.app.route("/", metrics.routes);
  const pmtr = lazyComponent(
    needsPmtr,
    () =>
      lazyImport<typeof import("../control/pmtr.ts")>(
        new URL("../control/pmtr.ts", import.meta.url),
      ).then((m) => new m.PmtrComponent(api, control)),
  );
  return { metrics, pmtr };
}
