import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { defaultMachine, type ResolvedMachine } from "../config/resolved.ts";
import { EventBus } from "./event_bus.ts";
import type { SupEvent } from "./events.ts";
import { MachineActions } from "./machine.ts";
import { MachineRecord, machineRecordPath } from "./machine_record.ts";
import { type Notification, NotifierHub } from "./notifier_hub.ts";

/** A world for one test: bus, events, a notifier, a recording command runner, a settable clock. */
function world(machine: Partial<ResolvedMachine> = {}, record = new MachineRecord(null)) {
  const bus = new EventBus();
  const log: string[] = [];
  bus.onAny((e: SupEvent) => {
    if (e.type === "machine.action" || e.type === "machine.refused") log.push(`event ${e.type}`);
  });
  const hub = new NotifierHub();
  const notified: Notification[] = [];
  hub.register({
    name: "test",
    send: (message) => {
      notified.push(message);
      log.push(`notify ${message.subject}`);
      return Promise.resolve({ notifier: "test", ok: true, detail: "ok" });
    },
    test: () => Promise.resolve({ notifier: "test", ok: true, detail: "ok" }),
  });
  const clock = { now: 1_000_000 };
  let fail = false;
  const errors: string[] = [];
  const actions = new MachineActions(bus, () => ({ ...defaultMachine(), ...machine }), {
    notifiers: hub,
    record,
    now: () => clock.now,
    onError: (message) => errors.push(message),
    run: (argv) => {
      log.push(`run ${argv.join(" ")}`);
      return Promise.resolve(fail ? { ok: false, error: "exited with code 1" } : { ok: true });
    },
  });
  return { bus, log, notified, clock, actions, errors, failNext: (v: boolean) => fail = v };
}

const reason = { source: "heartbeat", detail: 'job "kiosk" went quiet' } as const;

Deno.test("a reboot is an event, then a notification, then the command", async () => {
  const w = world();
  const outcome = await w.actions.act("reboot", reason);
  deepStrictEqual(outcome, { outcome: "done", command: ["systemctl", "reboot"] });
  equal(w.log.length, 3);
  deepStrictEqual(w.log.map((l) => l.split(" ")[0]), ["event", "notify", "run"]);
  match(w.notified[0].subject, /^Rebooting .+: heartbeat: job "kiosk" went quiet$/);
  match(w.notified[0].body, /Command: systemctl reboot/);
  equal(w.actions.last()?.action, "reboot");
});

Deno.test("a power-off runs machine.shutdownCommand", async () => {
  const w = world({ shutdownCommand: ["/sbin/poweroff", "-f"] });
  const outcome = await w.actions.act("shutdown", { source: "schedule", detail: "cron" });
  deepStrictEqual(outcome, { outcome: "done", command: ["/sbin/poweroff", "-f"] });
  ok(w.log.includes("run /sbin/poweroff -f"));
  match(w.notified[0].subject, /^Powering off /);
});

Deno.test("a machine action sooner than minRebootInterval after the last is refused, logged and notified", async () => {
  const w = world({ minRebootIntervalMs: 15 * 60_000 });
  await w.actions.act("reboot", reason);
  w.clock.now += 14 * 60_000;
  const events: SupEvent[] = [];
  w.bus.on("machine.refused", (e) => events.push(e));
  const refused = await w.actions.act("shutdown", { source: "schedule" });
  equal(refused.outcome, "refused");
  equal(events.length, 1);
  const event = events[0] as Extract<SupEvent, { type: "machine.refused" }>;
  equal(event.lastAt, 1_000_000);
  match(event.message, /^Power-off refused: the last machine action \(reboot at .*, 14 min ago/);
  match(event.message, /machine\.minRebootInterval \(15m\)/);
  equal(w.log.filter((l) => l.startsWith("run")).length, 1, "the command ran once");
  match(w.notified[1].subject, /^Power-off of .+ refused$/);
  w.clock.now += 60_000;
  equal(
    (await w.actions.act("reboot", reason)).outcome,
    "done",
    "allowed once the interval passed",
  );
});

Deno.test("minRebootInterval 0 turns the guard off", async () => {
  const w = world({ minRebootIntervalMs: 0 });
  equal((await w.actions.act("reboot", reason)).outcome, "done");
  equal((await w.actions.act("reboot", reason)).outcome, "done");
});

Deno.test("two machine actions at once: the second is refused", async () => {
  const w = world({ minRebootIntervalMs: 0 });
  const [first, second] = await Promise.all([
    w.actions.act("reboot", reason),
    w.actions.act("shutdown", reason),
  ]);
  equal(first.outcome, "done");
  equal(second.outcome, "refused");
  if (second.outcome === "refused") match(second.message, /another machine action is under way/);
});

Deno.test("a command that fails does not count for the guard", async () => {
  const w = world();
  w.failNext(true);
  const failed = await w.actions.act("reboot", reason);
  equal(failed.outcome, "failed");
  if (failed.outcome === "failed") {
    equal(failed.error, 'Reboot command "systemctl reboot" exited with code 1');
  }
  match(w.notified.at(-1)!.subject, /^Reboot of .+ failed$/);
  equal(w.actions.last(), null);
  w.failNext(false);
  equal((await w.actions.act("reboot", reason)).outcome, "done");
});

Deno.test("a notifier that never answers holds the action back only up to the bound", async () => {
  const bus = new EventBus();
  const hub = new NotifierHub();
  hub.register({
    name: "stuck",
    send: () => new Promise(() => {}),
    test: () => new Promise(() => {}),
  });
  const errors: string[] = [];
  let ran = false;
  const actions = new MachineActions(bus, defaultMachine, {
    notifiers: hub,
    notifyTimeoutMs: 50,
    onError: (message) => errors.push(message),
    run: () => {
      ran = true;
      return Promise.resolve({ ok: true });
    },
  });
  const started = performance.now();
  equal((await actions.act("reboot", reason)).outcome, "done");
  const ms = performance.now() - started;
  ok(ran);
  ok(ms >= 45 && ms < 1_000, `took ${ms}ms`);
  match(errors[0], /took longer than 50ms: going ahead/);
});

Deno.test("the guard holds across a restart of sup: the record is on disk", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-machine-" });
  try {
    const path = machineRecordPath(`${dir}/sup.config.ts`, {
      env: (k) => k === "SUP_STATE_DIR" ? dir : undefined,
    });
    equal(path.startsWith(`${dir}/sup.config.ts-`), true, path);
    const first = world({}, new MachineRecord(path));
    equal((await first.actions.act("reboot", reason)).outcome, "done");
    const info = await Deno.stat(path);
    equal(info.mode! & 0o777, 0o600);
    const second = world({}, new MachineRecord(path));
    second.clock.now += 60_000;
    const refused = await second.actions.act("reboot", reason);
    equal(refused.outcome, "refused");
    if (refused.outcome === "refused") match(refused.message, /60s ago, for heartbeat/);
    deepStrictEqual(second.log.filter((l) => l.startsWith("run")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the record goes to a folder that survives a reboot, never the runtime folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-machine-dirs-" });
  try {
    const env = (vars: Record<string, string>) => (key: string) => vars[key];
    const config = `${dir}/conf/kiosk.ts`;
    const libDir = `${dir}/lib`;
    const xdg = machineRecordPath(config, {
      env: env({ XDG_STATE_HOME: `${dir}/state`, XDG_RUNTIME_DIR: `${dir}/run` }),
      libDir,
    });
    ok(xdg.startsWith(`${dir}/state/sup/kiosk.ts-`), xdg);
    ok(machineRecordPath(config, { env: env({}), libDir }).startsWith(`${libDir}/kiosk.ts-`));
    const home = machineRecordPath(config, {
      env: env({ HOME: `${dir}/home` }),
      libDir: "/proc/no-such-dir",
    });
    ok(home.startsWith(`${dir}/home/.local/state/sup/kiosk.ts-`), home);
    await Deno.mkdir(`${dir}/conf`);
    equal(
      machineRecordPath(config, { env: env({}), libDir: "/proc/no-such-dir" }),
      `${dir}/conf/.kiosk.ts.sup-machine.json`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
