import { deepStrictEqual, equal } from "node:assert/strict";
import { EventBus } from "../core/event_bus.ts";
import type { ActionSource, JobState } from "../core/events.ts";
import { labelKey, MetricsCounters } from "./metrics_counters.ts";

const at = 1;

function state(bus: EventBus, job: string, from: JobState, to: JobState, source: ActionSource) {
  bus.emit({
    type: "job.state",
    job,
    from,
    to,
    pid: null,
    reason: { source },
    code: null,
    signal: null,
    uptimeMs: null,
    at,
  });
}

Deno.test("restarts are every spawn but a job's first, by the source of the reason", () => {
  const bus = new EventBus();
  const counters = new MetricsCounters(bus);
  state(bus, "web", "stopped", "starting", "config"); // the first start: no restart
  state(bus, "web", "starting", "running", "config");
  state(bus, "web", "running", "starting", "crash");
  state(bus, "web", "running", "stopping", "heartbeat");
  state(bus, "web", "stopping", "starting", "heartbeat");
  state(bus, "web", "backoff", "starting", "crash");
  state(bus, "db", "stopped", "starting", "config");
  deepStrictEqual(
    [...counters.restarts],
    [[labelKey(["web", "crash"]), 2], [labelKey(["web", "heartbeat"]), 1]],
  );
  counters.close();
  state(bus, "web", "running", "starting", "crash");
  equal(counters.restarts.get(labelKey(["web", "crash"])), 2, "closed: no longer counting");
});

Deno.test("a removed job's counts go; added back, its first start is no restart", () => {
  const bus = new EventBus();
  const counters = new MetricsCounters(bus);
  state(bus, "web", "stopped", "starting", "config");
  state(bus, "web", "running", "starting", "crash");
  bus.emit({ type: "health.failed", job: "web", check: "http", reason: "500", failures: 1, at });
  bus.emit({ type: "config.reloaded", added: [], removed: ["web"], changed: [], at });
  equal(counters.restarts.size, 0);
  equal(counters.healthFailures.size, 0);
  state(bus, "web", "stopped", "starting", "config");
  equal(counters.restarts.size, 0);
});

Deno.test("health failures, notifications and listener failures are counted from their events", () => {
  const bus = new EventBus();
  const counters = new MetricsCounters(bus);
  for (const failures of [1, 2]) {
    bus.emit({ type: "health.failed", job: "web", check: "tcp", reason: "refused", failures, at });
  }
  bus.emit({ type: "notify.sent", notifier: "mail", subject: "s", attempts: 1, at });
  bus.emit({
    type: "notify.failed",
    notifier: "mail",
    subject: "s",
    error: "e",
    willRetry: true,
    at,
  });
  bus.emit({
    type: "notify.failed",
    notifier: "sms",
    subject: "s",
    error: "e",
    willRetry: false,
    at,
  });
  bus.emit({ type: "notify.dropped", notifier: "mail", subject: "s", dropped: 3, at });
  bus.emit({ type: "listener.failed", listener: "mine", problem: "threw", message: "x", at });
  deepStrictEqual([...counters.healthFailures], [[labelKey(["web", "tcp"]), 2]]);
  deepStrictEqual([...counters.notificationsSent], [["mail", 1]]);
  deepStrictEqual([...counters.notificationsFailed], [["mail", 1], ["sms", 1]]);
  deepStrictEqual([...counters.notificationsDropped], [["mail", 3]]);
  deepStrictEqual([...counters.listenerFailures], [[labelKey(["mine", "threw"]), 1]]);
});

Deno.test("the phase follows sup: starting, running, stopping", () => {
  const bus = new EventBus();
  const counters = new MetricsCounters(bus);
  equal(counters.phase, "starting");
  bus.emit({ type: "sup.started", pid: 1, config: "c", modes: [], at });
  equal(counters.phase, "running");
  bus.emit({ type: "sup.stopping", signal: "SIGTERM", at });
  equal(counters.phase, "stopping");
});
