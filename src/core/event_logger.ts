/**
 * Writes sup's events to its log (LogTape, categories `["sup","job",name]`
 * for job facts and `["sup","config"]` / `["sup"]` for the rest), one line
 * per fact. Job output lines are logged by the output capture, not here.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { EventBus, Unsubscribe } from "./event_bus.ts";
import type { ActionReason, SupEvent, SupEventType } from "./events.ts";

/**
 * The events this module logs. It subscribes to these by type, never with
 * `onAny`: a catch-all listener would make `bus.hasListeners("job.output")`
 * true and turn every output line of every job into an event nobody reads.
 */
const LOGGED: SupEventType[] = [
  "job.state",
  "job.spawned",
  "job.ready",
  "job.exited",
  "job.backoff",
  "job.fatal",
  "job.action",
  "job.signaled",
  "job.disabled",
  "job.enabled",
  "machine.action",
  "config.reloaded",
  "config.invalid",
  "sup.started",
  "sup.stopping",
  "sup.stopped",
  "sup.stalled",
];

/** Logs sup's lifecycle events on `bus` from now on; returns the unsubscribe function. */
export function logEvents(bus: EventBus): Unsubscribe {
  const offs = LOGGED.map((type) => bus.on(type, logEvent));
  return () => offs.forEach((off) => off());
}

function because(reason: ActionReason): string {
  return reason.detail ? `${reason.source}: ${reason.detail}` : reason.source;
}

/** Logs one event at the level it deserves. */
export function logEvent(event: SupEvent): void {
  switch (event.type) {
    case "job.state": {
      const log = getLogger(["sup", "job", event.job]);
      const pid = event.pid === null ? "" : ` (pid ${event.pid})`;
      log.debug(`${event.from} → ${event.to}${pid} [${because(event.reason)}]`, { ...event });
      return;
    }
    case "job.spawned":
      getLogger(["sup", "job", event.job]).info(`Started (pid ${event.pid})`, { ...event });
      return;
    case "job.ready": {
      // Ready at spawn (no heartbeat config) repeats "Started": debug only.
      const log = getLogger(["sup", "job", event.job]);
      const text = `Ready (pid ${event.pid}, first heartbeat)`;
      if (event.by === "heartbeat") log.info(text, { ...event });
      else log.debug(`Ready (pid ${event.pid}, no heartbeat configured)`, { ...event });
      return;
    }
    case "job.exited": {
      const log = getLogger(["sup", "job", event.job]);
      const how = event.signal ? `was killed by ${event.signal}` : `exited with code ${event.code}`;
      const text = `Process ${event.pid} ${how} after ${formatMs(event.uptimeMs)}`;
      if (event.expected) log.info(text, { ...event });
      else {
        const tail = event.stderrTail.length
          ? `; last stderr: ${event.stderrTail.slice(-3).join(" | ")}`
          : "";
        log.warn(text + tail, { ...event });
      }
      return;
    }
    case "job.backoff":
      getLogger(["sup", "job", event.job]).warn(
        `Died quickly (${event.retries} in a row); restarting in ${formatMs(event.delayMs)}`,
        { ...event },
      );
      return;
    case "job.fatal":
      getLogger(["sup", "job", event.job]).error(`Fatal: ${event.message}`, { ...event });
      return;
    case "job.spawnFailed":
      return; // job.fatal follows with the same message
    case "job.action": {
      // Start-up and reload actions are summed up by "Started" and
      // `config.reloaded`; every other action (crash, heartbeat, manual...) is news.
      const log = getLogger(["sup", "job", event.job]);
      const text = `${event.action} [${because(event.reason)}]`;
      if (event.reason.source === "config") log.debug(text, { ...event });
      else log.info(text, { ...event });
      return;
    }
    case "job.signaled":
      getLogger(["sup", "job", event.job]).info(
        `Sent ${event.signal} to process group ${event.pid} [${because(event.reason)}]`,
        { ...event },
      );
      return;
    case "job.disabled": {
      const kept = event.persist ? "until enabled or its config changes" : "until sup restarts";
      getLogger(["sup", "job", event.job]).info(`Disabled by ${event.by} (${kept})`, { ...event });
      return;
    }
    case "job.enabled":
      getLogger(["sup", "job", event.job]).info(`Enabled again by ${event.by}`, { ...event });
      return;
    case "machine.action":
      getLogger(["sup", "machine"]).error(
        `Rebooting the machine [${because(event.reason)}] (running ${event.command.join(" ")})`,
        { ...event },
      );
      return;
    case "config.reloaded": {
      const parts = (["added", "removed", "changed"] as const)
        .map((k) => `${k}: ${event[k].length ? event[k].join(", ") : "none"}`);
      getLogger(["sup", "config"]).info(`Config reloaded (${parts.join("; ")})`, { ...event });
      return;
    }
    case "config.invalid":
      for (const error of event.errors) {
        getLogger(["sup", "config"]).error(`${event.source}: ${error}`, { source: event.source });
      }
      getLogger(["sup", "config"]).error("Config not reloaded: the running config stays in effect");
      return;
    case "sup.started":
      getLogger(["sup"]).info(`sup ${event.pid} running "${event.config}"`, { ...event });
      return;
    case "sup.stopping":
      getLogger(["sup"]).info(`Stopping all jobs (${event.signal})`, { ...event });
      return;
    case "sup.stopped":
      getLogger(["sup"]).info("All jobs stopped", { ...event });
      return;
    case "sup.stalled":
      getLogger(["sup"]).warn(
        `sup stalled for ${formatMs(event.stalledMs)} (stopped, suspended, blocked, or the ` +
          "clock jumped): heartbeat deadlines get a fresh grace period",
        { ...event },
      );
      return;
    default:
      return; // output, heartbeats, apps: logged by their owners
  }
}

function formatMs(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  return `${(ms / 60_000).toFixed(1)}min`;
}
