/**
 * The health of each job as `sup status` shows it: the last `health.failed`
 * or `health.recovered` event of each job. Tracked from sup's start, so the
 * control routes (`control_routes.ts`), built on the first request, show
 * what happened before it.
 *
 * @module
 */

import type { EventBus } from "../core/event_bus.ts";
import type { StatusRow } from "../core/control_api.ts";

/** Job name → its health as a status row shows it. */
export type JobHealth = Map<string, StatusRow["health"]>;

/** Follows the health events of `bus` into a map (for as long as the bus lives). */
export function trackHealth(bus: EventBus): JobHealth {
  const health: JobHealth = new Map();
  bus.on("health.failed", (e) => health.set(e.job, { ok: false, at: e.at, reason: e.reason }));
  bus.on("health.recovered", (e) => health.set(e.job, { ok: true, at: e.at, reason: null }));
  return health;
}
