import { deepStrictEqual, equal, ok, throws } from "node:assert/strict";
import { AppNotAllowedError } from "./registry_api.ts";
import type { AppRegistration } from "./registration.ts";
import { EventBus } from "../core/event_bus.ts";
import type { ActionReason, SupEvent } from "../core/events.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import type { AppProcessAdapter } from "./app_process.ts";
import { AppRegistry, type SectionStore } from "./registry.ts";
import { DEFAULT_APPS, type ResolvedApps } from "../config/resolved.ts";

class MemoryStore implements SectionStore {
  data: Record<string, unknown> = {};
  section(name: string): unknown {
    return structuredClone(this.data[name]);
  }
  setSection(name: string, value: unknown): void {
    this.data[name] = structuredClone(value);
  }
}

const ALLOW_ALL: Partial<ResolvedApps> = { enabled: true, allow: ["kill", "restart", "reboot"] };

function setup(
  store: SectionStore | null = null,
  clock = new FakeClock(),
  policy: Partial<ResolvedApps> = ALLOW_ALL,
) {
  const bus = new EventBus();
  const events: SupEvent[] = [];
  bus.onAny((e) => events.push(e));
  const effects: string[] = [];
  const os: AppProcessAdapter = {
    facts: (pid) => (pid === 999_999 ? null : {
      pid,
      ppid: 1000,
      pgrp: pid,
      session: pid,
      startTime: 1234,
      state: "S",
      flags: 0,
      kernelThread: false,
      uid: 0,
      euid: 0,
    }),
    members: () => [],
    self: () => ({ pid: 1, pgrp: 1 }),
    kill: (target) => {
      effects.push(`kill ${target}`);
      return "";
    },
    run: (name, argv) => {
      effects.push(`run ${name} ${argv.join(" ")}`);
      return "started";
    },
  };
  const reboots: ActionReason[] = [];
  const api = {
    bus,
    reboot: (reason: ActionReason) => {
      reboots.push(reason);
      return Promise.resolve();
    },
  };
  const apps = new AppRegistry({ api, store, clock, process: os, policy });
  return { apps, events, effects, reboots, clock };
}

const base: AppRegistration = {
  name: "kiosk",
  timeoutMs: 1000,
  action: "none",
  restartCommand: null,
  pid: null,
};

Deno.test("register returns an app with an id and emits app.registered", () => {
  const { apps, events, clock } = setup();
  const app = apps.register(base);
  ok(app.id.length > 0);
  equal(app.registeredAt, clock.now());
  deepStrictEqual(apps.list(), [app]);
  deepStrictEqual(events, [{
    type: "app.registered",
    id: app.id,
    name: "kiosk",
    pid: null,
    timeoutMs: 1000,
    at: clock.now(),
  }]);
});

Deno.test("bad registrations throw RangeError naming the field", () => {
  const { apps } = setup();
  const rows: [Partial<AppRegistration>, RegExp][] = [
    [{ timeoutMs: 0 }, /^timeout: must be at least 1ms, got 0$/],
    [{ timeoutMs: NaN }, /^timeout:/],
    [{ action: "explode" as "none" }, /^action: "explode" is not an action/],
    [{ action: "restart" }, /^restartCommand: required when action is "restart"$/],
    [{ action: "kill" }, /^pid: required when action is "kill"$/],
    [{ action: "kill", pid: 999_999 }, /^pid: no process 999999 is running$/],
    [{ pid: -3 }, /^pid: -3 is not a process id/],
    [{ action: "kill", pid: 1 }, /^pid: 1 is init; it cannot be watched$/],
    [{ name: "" }, /^name:/],
    [{ name: "a b" }, /^name: "a b" is not an app name/],
    [{ restartCommand: [] }, /^restartCommand: must not be empty$/],
  ];
  for (const [patch, message] of rows) {
    throws(() => apps.register({ ...base, ...patch }), (e: Error) => {
      ok(e instanceof RangeError, `RangeError for ${JSON.stringify(patch)}`);
      ok(message.test(e.message), `${e.message} ~ ${message}`);
      return true;
    });
  }
  equal(apps.list().length, 0);
});

Deno.test("refreshes keep an app alive; no refresh for the timeout fires the action", () => {
  const { apps, events, clock } = setup();
  const app = apps.register(base);
  for (let i = 0; i < 10; i++) {
    clock.advance(900);
    equal(apps.refresh(app.id), true);
  }
  equal(events.filter((e) => e.type === "app.missed").length, 0);
  const last = clock.now();
  clock.advance(1000);
  const missed = events.filter((e) => e.type === "app.missed");
  deepStrictEqual(missed, [{
    type: "app.missed",
    id: app.id,
    name: "kiosk",
    pid: null,
    lastSeen: last,
    timeoutMs: 1000,
    action: "none",
    at: last + 1000,
  }]);
  equal(apps.list().length, 1, "action none keeps the registration");
});

Deno.test("a missed refresh with action kill kills the pid's group and ends the registration", () => {
  const { apps, effects, events, clock } = setup();
  const app = apps.register({ ...base, action: "kill", pid: 4321 });
  clock.advance(1000);
  deepStrictEqual(effects, ["kill -4321"]);
  deepStrictEqual(apps.list(), []);
  ok(events.some((e) => e.type === "app.unregistered" && e.id === app.id));
});

Deno.test("a missed refresh with action restart kills the old group then runs the command", () => {
  const { apps, effects, clock } = setup();
  apps.register({ ...base, action: "restart", pid: 77, restartCommand: ["/bin/app", "--x"] });
  clock.advance(1000);
  deepStrictEqual(effects, ["kill -77", "run kiosk /bin/app --x"]);
});

Deno.test("a missed refresh with action reboot reboots through the supervisor API, naming the app", () => {
  const { apps, reboots, clock } = setup();
  const app = apps.register({ ...base, action: "reboot" });
  clock.advance(1000);
  equal(reboots.length, 1);
  equal(reboots[0].source, "heartbeat");
  ok(reboots[0].detail?.includes(app.id));
});

Deno.test("unregister stops the watch; unknown ids are refused", () => {
  const { apps, events, clock } = setup();
  const app = apps.register({ ...base, action: "reboot" });
  equal(apps.unregister(app.id), true);
  equal(apps.unregister(app.id), false);
  equal(apps.refresh(app.id), false);
  clock.advance(10_000);
  equal(events.filter((e) => e.type === "app.missed").length, 0);
  equal(clock.pending, 0);
});

Deno.test("registrations survive a new registry on the same store, deadline from the load", () => {
  const store = new MemoryStore();
  const first = setup(store);
  const app = first.apps.register({ ...base, action: "kill", pid: 55 });
  first.clock.advance(900);
  first.apps.close();
  const clock = new FakeClock(first.clock.now() + 60_000);
  const second = setup(store, clock);
  deepStrictEqual(second.apps.list(), [{ ...app, lastRefresh: clock.now() }]);
  clock.advance(999);
  deepStrictEqual(second.effects, []);
  equal(second.apps.refresh(app.id), true);
  clock.advance(1000);
  deepStrictEqual(second.effects, ["kill -55"], "the stored pid start time is kept");
});

Deno.test("a corrupt stored registration is dropped, the others load", () => {
  const store = new MemoryStore();
  store.data.apps = [{ id: "x", name: "", timeoutMs: -1 }, {
    ...base,
    id: "good",
    registeredAt: 1,
    lastRefresh: 1,
    pidStartTime: null,
  }];
  const { apps } = setup(store);
  deepStrictEqual(apps.list().map((a) => a.id), ["good"]);
});

Deno.test("by default only kill and none may be registered; restart and reboot are refused naming apps.allow", () => {
  const { apps, events } = setup(null, new FakeClock(), { enabled: true, allow: ["kill"] });
  apps.register({ ...base, action: "none" });
  apps.register({ ...base, action: "kill", pid: 4242 });
  throws(
    () => apps.register({ ...base, action: "restart", restartCommand: ["/bin/true"] }),
    (e: Error) =>
      e instanceof AppNotAllowedError &&
      e.message ===
        'action "restart" is not allowed: add "restart" to apps.allow in the config ' +
          "(the restart command comes from any local client and runs as sup's user)",
  );
  throws(
    () => apps.register({ ...base, action: "reboot" }),
    (e: Error) => e instanceof AppNotAllowedError && /add "reboot" to apps\.allow/.test(e.message),
  );
  equal(apps.list().length, 2);
  equal(events.filter((e) => e.type === "app.registered").length, 2);
});

Deno.test("apps.enabled false refuses every registration, even action none", () => {
  const { apps } = setup(null, new FakeClock(), { enabled: false, allow: ["kill"] });
  throws(
    () => apps.register({ ...base, action: "none" }),
    (e: Error) => e instanceof AppNotAllowedError && /apps\.enabled is false/.test(e.message),
  );
  equal(apps.list().length, 0);
});

Deno.test("a config that stops allowing an action removes registrations that use it, stored ones too", () => {
  const store = new MemoryStore();
  const first = setup(store).apps;
  first.register({ ...base, name: "runner", action: "restart", restartCommand: ["/bin/true"] });
  first.register({ ...base, name: "watcher", action: "none" });
  first.close();
  const { apps, events, effects } = setup(store);
  equal(apps.list().length, 2, "both reloaded from the store");
  apps.apply({ apps: { ...DEFAULT_APPS, enabled: true, allow: ["kill"] } });
  deepStrictEqual(apps.list().map((a) => a.name), ["watcher"]);
  ok(events.some((e) => e.type === "app.unregistered" && e.name === "runner"));
  deepStrictEqual(effects, [], "removing a registration runs no action");
});
