/**
 * The names of sup's events, as data: what a listener's `on` may list. The
 * events themselves are typed in `core/events.ts` (`SupEvent`); `config/`
 * may not import `core/`, so the names are listed here and a type check in
 * `notify/listener_runtime.ts` keeps both lists equal.
 *
 * @module
 */

/** Every `SupEvent` type, grouped by what it is about. */
export const EVENT_TYPES = [
  "sup.started",
  "sup.stopping",
  "sup.stopped",
  "sup.stalled",
  "job.state",
  "job.spawned",
  "job.ready",
  "job.exited",
  "job.backoff",
  "job.fatal",
  "job.spawnFailed",
  "job.action",
  "job.signaled",
  "job.disabled",
  "job.enabled",
  "job.output",
  "config.reloaded",
  "config.invalid",
  "heartbeat.missed",
  "health.failed",
  "health.recovered",
  "app.log",
  "app.event",
  "app.message",
  "app.missed",
  "app.registered",
  "app.unregistered",
  "machine.action",
  "machine.refused",
  "notify.sent",
  "notify.failed",
  "notify.dropped",
  "listener.failed",
  "tick.5",
  "tick.60",
  "tick.3600",
  "channel.rejected",
  "log.rotated",
] as const;

/** The name of one of sup's events. */
export type EventTypeName = typeof EVENT_TYPES[number];

/**
 * Events `"*"` leaves out: every output line of every job would flood a
 * listener that asked for "everything"; name `"job.output"` to get them.
 */
export const NOT_IN_ALL: readonly EventTypeName[] = ["job.output"];
