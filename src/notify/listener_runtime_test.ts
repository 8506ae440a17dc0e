import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { ResolvedListener } from "../config/resolved_listeners.ts";
import type { EventOf, SupEvent } from "../core/events.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { createTestContext } from "../testing/listener_context.ts";
import { RecordingApi } from "../testing/recording_api.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { until } from "../testing/wait.ts";
import type { BuiltinLoaders } from "./builtins.ts";
import type { ListenerContext, PluginContext, RunningListener } from "./listener.ts";
import { ListenerRuntime } from "./listener_runtime.ts";

const jobs = [resolvedJob("web", ["x"], { groups: ["front"] }), resolvedJob("db", ["x"])];

function fn(
  name: string,
  handle: (event: SupEvent, ctx: ListenerContext) => unknown,
  extra: Partial<ResolvedListener> = {},
): ResolvedListener {
  return {
    type: "function",
    name,
    on: ["job.exited", "listener.failed", "app.message"],
    jobs: null,
    timeoutMs: 1000,
    queueSize: 100,
    handle: handle as (event: never, ctx: never) => unknown,
    ...extra,
  } as ResolvedListener;
}

function config(listeners: ResolvedListener[]): ResolvedConfig {
  return { ...resolvedConfig(jobs), listeners };
}

const exited = (job: string, at = 1): EventOf<"job.exited"> => ({
  type: "job.exited",
  job,
  pid: 1,
  code: 1,
  signal: null,
  uptimeMs: 5,
  expected: false,
  stderrTail: [],
  at,
});

function runtime(builtins: BuiltinLoaders = {}, clock = new FakeClock()) {
  const api = new RecordingApi(config([]));
  const failed: EventOf<"listener.failed">[] = [];
  api.bus.on("listener.failed", (e) => failed.push(e));
  const sent: [string, unknown][] = [];
  const rt = new ListenerRuntime({
    api,
    send: (job, data) => (sent.push([job, data]), job === "web"),
    notifiers: { notify: (m) => Promise.resolve([{ notifier: "n", ok: true, detail: m.subject }]) },
  }, { builtins, clock, reportIntervalMs: 0, closeDrainMs: 200 });
  return { api, rt, failed, sent, clock };
}

Deno.test("a function listener gets the events it asked for, about the jobs it selected", async () => {
  const { api, rt } = runtime();
  const seen: string[] = [];
  await rt.apply(config([
    fn("front", (e) => void seen.push(`${e.type}:${(e as { job: string }).job}`), {
      on: ["job.exited", "sup.stopping"],
      jobs: ["group:front"],
    } as Partial<ResolvedListener>),
  ]));
  api.bus.emit(exited("db"));
  api.bus.emit(exited("web"));
  api.bus.emit({ type: "sup.stopping", signal: "SIGTERM", at: 1 });
  api.bus.emit({ type: "job.fatal", job: "web", message: "x", at: 1 });
  await until(() => seen.length === 2, "two events");
  deepStrictEqual(seen, ["job.exited:web", "sup.stopping:undefined"]);
  ok(!api.bus.hasListeners("job.output"), "no subscription to what no listener wants");
  await rt.close();
  ok(!api.bus.hasListeners("job.exited"), "closed: unsubscribed");
});

Deno.test("actions carry the listener's name; send and notify reach the parts", async () => {
  const { api, rt, sent } = runtime();
  const deliveries: unknown[] = [];
  await rt.apply(config([
    fn("healer", async (e, ctx) => {
      ctx.restart((e as { job: string }).job, "it died");
      ok(ctx.send("web", { hello: 1 }));
      deliveries.push(await ctx.notify("subject", "body"));
    }),
  ]));
  api.bus.emit(exited("web"));
  await until(() => deliveries.length === 1, "the listener's notify");
  deepStrictEqual(api.actions, [{
    method: "restart",
    job: "web",
    reason: { source: "listener", by: "healer", detail: "it died" },
  }]);
  deepStrictEqual(sent, [["web", { hello: 1 }]]);
  deepStrictEqual(deliveries, [[{ notifier: "n", ok: true, detail: "subject" }]]);
  await rt.close();
});

Deno.test("a throwing listener is reported as listener.failed, to others but not itself", async () => {
  const { api, rt, failed } = runtime();
  const heard: string[] = [];
  await rt.apply(config([
    fn("broken", () => {
      throw new Error("kaput");
    }),
    fn("watcher", (e) => {
      if (e.type === "listener.failed") heard.push(e.listener);
    }),
  ]));
  api.bus.emit(exited("web"));
  await until(() => heard.length === 1, "the watcher hears of it");
  deepStrictEqual(failed.map((e) => [e.listener, e.problem, e.message]), [
    ["broken", "threw", 'threw on "job.exited": kaput'],
  ]);
  deepStrictEqual(heard, ["broken"]);
  await rt.close();
});

Deno.test("built-ins load lazily from their module; an unchanged one survives a reload", async () => {
  let loads = 0;
  const created: string[] = [];
  const closed: string[] = [];
  const applied: number[] = [];
  const builtins: BuiltinLoaders = {
    probe: () => {
      loads++;
      return Promise.resolve({
        create: ((options: { url: string }, ctx: ListenerContext): RunningListener => {
          created.push(`${ctx.name}:${options.url}`);
          return {
            name: ctx.name,
            on: ["job.exited"],
            handle: () => {},
            apply: (c) => void applied.push(c.jobs.length),
            close: () => void closed.push(ctx.name),
          };
        }) as never,
      });
    },
  };
  const { rt } = runtime(builtins);
  const probe = (name: string, url: string): ResolvedListener => ({
    type: "builtin",
    kind: "probe",
    name,
    options: { url },
    timeoutMs: 1000,
    queueSize: 10,
  });
  await rt.apply(config([probe("a", "u1"), probe("b", "u2")]));
  deepStrictEqual(created, ["a:u1", "b:u2"]);
  await rt.apply(config([probe("a", "u1"), probe("b", "u3")]));
  deepStrictEqual(created, ["a:u1", "b:u2", "b:u3"]);
  deepStrictEqual(closed, ["b"]);
  deepStrictEqual(applied, [2], "the kept one follows the config");
  await rt.apply(config([]));
  deepStrictEqual(closed, ["b", "a", "b"]);
  equal(loads, 3);
  await rt.close();
});

Deno.test("a built-in that cannot start is reported; sup goes on", async () => {
  const { rt, failed } = runtime({ bad: () => Promise.reject(new Error("no module")) });
  await rt.apply(config([{
    type: "builtin",
    kind: "bad",
    name: "bad",
    options: {},
    timeoutMs: 1000,
    queueSize: 10,
  }]));
  deepStrictEqual(failed.map((e) => e.message), ["could not start: no module"]);
  deepStrictEqual(rt.names(), []);
  await rt.close();
});

Deno.test("a plugin subscribes in setup, answers apps, and is disposed on removal", async () => {
  const { api, rt, sent } = runtime();
  const log: string[] = [];
  const setup = (ctx: PluginContext) => {
    log.push(`setup ${ctx.name}`);
    ctx.on("app.message", (e) => {
      ctx.send(e.job ?? "web", { address: "/pong", args: e.args });
      ctx.restart("web", `asked by ${e.address}`);
    });
    return () => void log.push("dispose");
  };
  const entry: ResolvedListener = {
    type: "plugin",
    name: "kiosk",
    setup: setup as (ctx: never) => unknown,
    timeoutMs: 1000,
    queueSize: 10,
  };
  await rt.apply(config([entry]));
  ok(api.bus.hasListeners("app.message"));
  api.bus.emit({
    type: "app.message",
    job: "web",
    channel: "websocket",
    address: "/ping",
    args: [1],
    at: 1,
  });
  await until(() => sent.length === 1, "the plugin's answer");
  deepStrictEqual(sent, [["web", { address: "/pong", args: [1] }]]);
  deepStrictEqual(api.actions[0].reason, {
    source: "listener",
    by: "plugin:kiosk",
    detail: "asked by /ping",
  });
  await rt.apply(config([entry]));
  deepStrictEqual(log, ["setup plugin:kiosk"], "the same plugin is kept");
  await rt.apply(config([]));
  deepStrictEqual(log, ["setup plugin:kiosk", "dispose"]);
  ok(!api.bus.hasListeners("app.message"));
  await rt.close();
});

Deno.test("a plugin whose setup throws is reported and undone; ctx.on checks event types", async () => {
  const { api, rt, failed } = runtime();
  const setup = (ctx: PluginContext) => {
    ctx.on("job.exited", () => {});
    ctx.on("job.exitted" as "job.exited", () => {});
  };
  await rt.apply(config([{
    type: "plugin",
    name: "typo",
    setup: setup as (ctx: never) => unknown,
    timeoutMs: 1000,
    queueSize: 10,
  }]));
  deepStrictEqual(failed.map((e) => [e.listener, e.message]), [[
    "plugin:typo",
    'setup failed: ctx.on: "job.exitted" is not an event type (did you mean "job.exited"?)',
  ]]);
  ok(!api.bus.hasListeners("job.exited"));
  deepStrictEqual(rt.names(), []);
  await rt.close();
});

Deno.test("ticks run only while a listener wants them", async () => {
  const clock = new FakeClock(1_000_000_000);
  const { rt } = runtime({}, clock);
  const seen: string[] = [];
  await rt.apply(config([fn("t", (e) => void seen.push(e.type), { on: ["tick.5"] })]));
  equal(clock.pending, 1);
  clock.advance(10_000);
  await until(() => seen.length === 2, "two ticks");
  await rt.apply(config([fn("t2", () => {}, { on: ["job.exited"] })]));
  equal(clock.pending, 0);
  await rt.close();
});

Deno.test("createTestContext records what a listener does", async () => {
  const t = createTestContext({ jobs, connected: (job) => job === "web" });
  t.ctx.restart("web", "because");
  equal(t.ctx.send("db", 1), false);
  deepStrictEqual(t.ctx.jobs(["group:front"]), ["web"]);
  const deliveries = await t.ctx.notify("s", "b", { job: "web" });
  t.ctx.log.warn("careful");
  deepStrictEqual(t.api.actions[0].reason, { source: "listener", by: "test", detail: "because" });
  deepStrictEqual(t.sent, [{ job: "db", data: 1 }]);
  deepStrictEqual(t.notifications, [{ job: "web", subject: "s", body: "b" }]);
  deepStrictEqual(deliveries, [{ notifier: "test", ok: true, detail: "recorded" }]);
  deepStrictEqual(t.logs, [{ level: "warn", message: "careful" }]);
});
