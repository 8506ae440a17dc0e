/**
 * Builds the `AppChannelContext` every channel (OSC, WebSocket, HTTP) is
 * given: the supervisor API, job resolution, heartbeats through the
 * watchdog, and the registered apps.
 *
 * @module
 */

import type { SupervisorApi } from "../core/api.ts";
import type { HeartbeatWatchdog } from "../probes/heartbeat.ts";
import type { AppChannelContext, AppRegistryApi } from "./app_context.ts";
import { createJobResolver } from "./resolve_job.ts";

/** The parts a context is made of. */
export interface AppChannelParts {
  api: SupervisorApi;
  /** Records heartbeats (first one marks the job ready). */
  watchdog: Pick<HeartbeatWatchdog, "beat">;
  apps: AppRegistryApi;
}

/** The context channels share. */
export function createAppChannelContext(parts: AppChannelParts): AppChannelContext {
  const { api, watchdog, apps } = parts;
  return {
    api,
    resolveJob: createJobResolver(() => api.config()),
    heartbeat: (job) => watchdog.beat(job),
    apps,
  };
}
