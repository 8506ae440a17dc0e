/**
 * A lazily loaded component that also gets the events emitted before it was
 * loaded. `sup run` starts the jobs, then hands the config to components:
 * the first `job.spawned` of every job is emitted before a feature imported
 * at its first `apply` could subscribe. This keeps those events (by type,
 * bounded) from construction until the first `apply`, then replays them to
 * the loaded component, or drops them when the config does not need it.
 * Small on purpose: it is imported statically by `cli/components.ts`.
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";
import type { Component } from "../core/component.ts";
import type { EventBus } from "../core/event_bus.ts";
import type { SupEvent, SupEventType } from "../core/events.ts";

/** A component that can take the events emitted before it was loaded. */
export interface ReplayingComponent extends Component {
  /**
   * Called once, right after the first `apply` returned (which must have
   * subscribed synchronously), with the events kept until then, in order.
   */
  replay(events: readonly SupEvent[]): void;
}

/** Events kept at most until the first `apply`. */
const MAX_EARLY = 5_000;

/**
 * Like `lazyComponent`, but keeps the events of `types` from now until the
 * first `apply` and replays them to the component when it is loaded.
 */
export function lazyWithEarlyEvents(
  bus: EventBus,
  types: readonly SupEventType[],
  needed: (config: ResolvedConfig) => boolean,
  load: () => Promise<ReplayingComponent>,
): Component {
  let early: SupEvent[] | null = [];
  const offs = types.map((type) =>
    bus.on(type, (event) => {
      if (early !== null && early.length < MAX_EARLY) early.push(event);
    })
  );
  const stopKeeping = (): SupEvent[] => {
    for (const off of offs) off();
    const kept = early ?? [];
    early = null;
    return kept;
  };
  let loaded: ReplayingComponent | null = null;
  let loading: Promise<ReplayingComponent> | null = null;
  return {
    async apply(config) {
      if (!loaded && !needed(config)) {
        stopKeeping();
        return;
      }
      loaded ??= await (loading ??= load());
      const result = loaded.apply(config);
      if (early !== null) loaded.replay(stopKeeping());
      await result;
    },
    async close() {
      stopKeeping();
      const component = loaded ?? (loading ? await loading.catch(() => null) : null);
      await component?.close();
    },
  };
}

/** Job lifecycle events the file holds besides app events (`jobs: true`). */
export const LIFECYCLE_EVENTS: readonly SupEventType[] = [
  "job.spawned",
  "job.ready",
  "job.exited",
  "job.action",
  "job.backoff",
  "job.fatal",
  "job.spawnFailed",
  "job.signaled",
  "heartbeat.missed",
  "health.failed",
  "health.recovered",
  "machine.action",
  "machine.refused",
  "sup.started",
  "sup.stopped",
];

/** What the event log file writes: app events and the lifecycle events. */
export const EVENT_FILE_TYPES: readonly SupEventType[] = ["app.event", ...LIFECYCLE_EVENTS];
