import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { AppLimitError } from "./registry_api.ts";
import type { AppRegistration } from "./registration.ts";
import { EventBus } from "../core/event_bus.ts";
import type { SupEvent } from "../core/events.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import type { AppProcessAdapter } from "./app_process.ts";
import { AppRegistry } from "./registry.ts";
import { StallDetector } from "../core/stall_detector.ts";
import type { ResolvedApps } from "../config/resolved.ts";

function setup(policy: Partial<ResolvedApps> = {}) {
  const bus = new EventBus();
  const events: SupEvent[] = [];
  bus.onAny((e) => events.push(e));
  const clock = new FakeClock();
  const os: AppProcessAdapter = {
    facts: () => null,
    members: () => [],
    self: () => ({ pid: 1, pgrp: 1 }),
    kill: () => "",
    run: () => "started",
  };
  const api = { bus, reboot: () => Promise.resolve() };
  const apps = new AppRegistry({ api, clock, process: os, policy });
  return { apps, bus, events, clock };
}

const base: AppRegistration = {
  name: "watcher",
  timeoutMs: 1000,
  action: "none",
  restartCommand: null,
  pid: null,
};

const count = (events: SupEvent[], type: SupEvent["type"]) =>
  events.filter((e) => e.type === type).length;

Deno.test("each local user holds at most apps.maxPerUser registrations; others and unknown senders have their own allowance", () => {
  const { apps } = setup({ maxPerUser: 2 });
  const user = { uid: 1000, name: "127.0.0.1:5000" };
  apps.register(base, user);
  apps.register(base, user);
  throws(
    () => apps.register(base, user),
    (e: Error) =>
      e instanceof AppLimitError &&
      e.message ===
        'Cannot register app "watcher": uid 1000 holds 2 registrations already (apps.maxPerUser is 2)',
  );
  apps.register(base, { uid: 1001, name: "b" });
  apps.register(base, { uid: null, name: "c" });
  apps.register(base, { uid: null, name: "d" });
  throws(() => apps.register(base, { uid: null, name: "e" }), AppLimitError);
  equal(apps.list().length, 5);
  apps.close();
});

Deno.test("an action none registration that keeps missing expires after apps.expireAfterMisses misses", () => {
  const { apps, events, clock } = setup({ expireAfterMisses: 3 });
  const app = apps.register(base);
  clock.advance(1000);
  clock.advance(1000);
  equal(apps.list().length, 1, "two misses keep it");
  clock.advance(1000);
  equal(count(events, "app.missed"), 3);
  deepStrictEqual(apps.list(), []);
  deepStrictEqual(events.at(-1), {
    type: "app.unregistered",
    id: app.id,
    name: "watcher",
    at: clock.now(),
  });
  equal(clock.pending, 0);
});

Deno.test("a refresh between misses starts the count over", () => {
  const { apps, clock } = setup({ expireAfterMisses: 2 });
  const app = apps.register(base);
  clock.advance(1000);
  apps.refresh(app.id);
  clock.advance(1000);
  equal(apps.list().length, 1);
  clock.advance(1000);
  equal(apps.list().length, 0);
});

Deno.test("registration timeouts are bounded at one day", () => {
  const { apps } = setup();
  for (const timeoutMs of [30 * 86_400_000, 1e300]) {
    throws(
      () => apps.register({ ...base, timeoutMs }),
      (e: Error) =>
        e instanceof RangeError &&
        /^timeout: (must be at most 1d \(86400000ms\)|1e\+300 is longer)/.test(e.message),
    );
  }
  apps.register({ ...base, timeoutMs: 86_400_000 });
  apps.close();
});

Deno.test("sup.stalled gives every registration a fresh grace period instead of a miss", () => {
  const { apps, bus, events, clock } = setup();
  apps.register(base);
  clock.advance(900);
  bus.emit({ type: "sup.stalled", stalledMs: 10_000, at: clock.now() });
  clock.advance(900);
  equal(count(events, "app.missed"), 0, "the deadline moved to the stall + timeout");
  clock.advance(100);
  equal(count(events, "app.missed"), 1);
  apps.close();
});

Deno.test("a deadline that falls due before the stall detector ticks asks it first: no miss", () => {
  const bus = new EventBus();
  const events: SupEvent[] = [];
  bus.onAny((e) => events.push(e));
  const clock = new FakeClock();
  const stall = new StallDetector({ bus, clock });
  const apps = new AppRegistry({
    api: { bus, reboot: () => Promise.resolve() },
    clock,
    stall,
    process: {
      facts: () => null,
      members: () => [],
      self: () => ({ pid: 1, pgrp: 1 }),
      kill: () => "",
      run: () => "started",
    },
  });
  clock.advance(400);
  apps.register({ ...base, timeoutMs: 50 }); // due before the detector's next tick
  clock.jump(5_000); // sup did not run: every due timer fires late, the registry's first
  equal(count(events, "sup.stalled"), 1);
  equal(count(events, "app.missed"), 0, "the stall is not the app's fault");
  clock.advance(60);
  equal(count(events, "app.missed"), 1, "a real miss after the grace period still counts");
  apps.close();
  stall.close();
});
