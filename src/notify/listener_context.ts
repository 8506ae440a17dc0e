/**
 * Builds the `ListenerContext` a listener (built-in, function or plugin)
 * receives: the supervisor's actions with the listener's name as their
 * reason, the jobs' status, sends to apps, notifications through the hub,
 * a logger named after the listener, the running config.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import { selectJobs } from "../config/selector.ts";
import type { SupervisorApi } from "../core/api.ts";
import type { ActionReason } from "../core/events.ts";
import type { Delivery, Notification } from "../core/notification.ts";
import type { ListenerContext, ListenerLogger } from "./listener.ts";

/** Sends data to a job's app over the channels it uses; false when none is connected. */
export type SendToApp = (job: string, data: unknown) => boolean;

/** What contexts are built on. */
export interface ListenerParts {
  /** The supervisor: actions, status, config, the bus. */
  api: SupervisorApi;
  /** Where notifications go; none: `notify` resolves to an empty list. */
  notifiers?: { notify(message: Notification): Promise<Delivery[]> };
  /** How `send` reaches apps (the app side's channels). @default sends nothing */
  send?: SendToApp;
}

/** A logger under `["sup", "listener", name]`. */
export function listenerLogger(name: string): ListenerLogger {
  const log = getLogger(["sup", "listener", name]);
  return {
    debug: (message) => log.debug(message),
    info: (message) => log.info(message),
    warn: (message) => log.warn(message),
    error: (message) => log.error(message),
  };
}

/**
 * The context of the listener `name` (a plugin's is `"plugin:<name>"`):
 * every action it takes carries `{ source: "listener", by: name, detail }`.
 */
export function createListenerContext(
  parts: ListenerParts,
  name: string,
  log: ListenerLogger = listenerLogger(name),
): ListenerContext {
  const { api } = parts;
  const reason = (detail?: string): ActionReason =>
    detail === undefined
      ? { source: "listener", by: name }
      : { source: "listener", by: name, detail };
  return {
    name,
    start: (job, detail) => api.start(job, reason(detail)),
    stop: (job, detail) => api.stop(job, reason(detail)),
    restart: (job, detail) => api.restart(job, reason(detail)),
    signal: (job, signal, detail) => api.signal(job, signal, reason(detail)),
    status: () => api.status(),
    jobs: (selectors) => selectJobs(selectors, api.config().jobs),
    send: (job, data) => parts.send?.(job, data) ?? false,
    notify: async (subject, body, extra) => {
      if (!parts.notifiers) return [];
      try {
        return await parts.notifiers.notify({ ...extra, subject, body });
      } catch (error) {
        log.error(
          `Notifying "${subject}" failed: ${error instanceof Error ? error.message : error}`,
        );
        return [];
      }
    },
    log,
    config: () => api.config(),
  };
}
