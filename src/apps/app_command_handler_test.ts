import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { SupEvent } from "../core/events.ts";
import { RecordingApi } from "../testing/recording_api.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import type { AppCommand, AppPeer, AppReply } from "./app_command.ts";
import { appCommandHandler } from "./app_command_handler.ts";
import type { AppRegistration } from "./registration.ts";
import { AppNotAllowedError, type AppRegistryApi, type RegisteredApp } from "./registry_api.ts";

const hb = { timeoutMs: 1000, startupTimeoutMs: 5000, action: "restart" } as const;
const none = { address: null, local: null };
const osc: AppPeer = { channel: "osc", name: "127.0.0.1:5000", job: null, ...none };
const ws: AppPeer = { channel: "websocket", name: "127.0.0.1:6000", job: "screen", ...none };
const http: AppPeer = { channel: "http", name: "127.0.0.1:7000", job: null, ...none };

/** A registry that knows the id "known" and refuses what the test says. */
class FakeRegistry implements AppRegistryApi {
  refuse: Error | null = null;
  register(registration: AppRegistration): RegisteredApp {
    if (this.refuse) throw this.refuse;
    return { ...registration, id: "new-id", registeredAt: 1, lastRefresh: 1, uid: 0 };
  }
  refresh(id: string): boolean {
    return id === "known";
  }
  unregister(id: string): boolean {
    return id === "known";
  }
  list(): RegisteredApp[] {
    return [];
  }
}

function setup() {
  const config = resolvedConfig([
    resolvedJob("kiosk", ["x"], { heartbeat: hb }),
    resolvedJob("screen", ["x"]),
    resolvedJob("off", ["x"]),
  ]);
  config.app = { screen: 2 };
  const api = new RecordingApi(config);
  const events: SupEvent[] = [];
  api.bus.onAny((e) => events.push({ ...e, at: 0 }));
  const beats: string[] = [];
  const apps = new FakeRegistry();
  const handle = appCommandHandler({
    api,
    heartbeats: { beat: (job) => (beats.push(job), job !== "off") },
    apps,
  });
  return { api, events, beats, apps, handle };
}

const refused = (code: string, error: string): AppReply =>
  ({ type: "refused", code, error }) as AppReply;

Deno.test("heartbeats resolve the job (named, the sender's, the only heartbeat job) and refuse unknown or stopped jobs", () => {
  const { handle, beats } = setup();
  const rows: Array<[AppCommand, AppPeer, AppReply]> = [
    [{ type: "heartbeat", job: "screen" }, osc, { type: "ok" }],
    [{ type: "heartbeat", job: null }, ws, { type: "ok" }],
    [{ type: "heartbeat", job: null }, osc, { type: "ok" }],
    [{ type: "heartbeat", job: "nope" }, http, refused("unknown-job", 'No job named "nope"')],
    [
      { type: "heartbeat", job: "off" },
      http,
      refused("not-running", 'Job "off" is not running; heartbeat ignored'),
    ],
  ];
  for (const [command, from, reply] of rows) {
    deepStrictEqual(handle(command, from), reply, JSON.stringify([command, from.channel]));
  }
  deepStrictEqual(beats, ["screen", "screen", "kiosk", "off"]);
});

Deno.test("an accepted heartbeat answers with one shared reply (the hot path allocates nothing)", () => {
  const { handle } = setup();
  const command: AppCommand = { type: "heartbeat", job: "kiosk" };
  equal(handle(command, osc), handle(command, osc));
});

Deno.test("logs and events become app.log and app.event naming the resolved job, or none", () => {
  const { handle, events } = setup();
  const log = (job: string | null): AppCommand => ({
    type: "log",
    job,
    level: "info",
    message: "m",
  });
  deepStrictEqual(handle(log(null), ws), { type: "ok" });
  deepStrictEqual(handle(log(null), osc), { type: "ok" });
  deepStrictEqual(handle(log("off"), osc), { type: "ok" });
  deepStrictEqual(handle(log("nope"), osc), refused("unknown-job", 'No job named "nope"'));
  const event: AppCommand = {
    type: "event",
    job: null,
    category: "ui",
    action: "tap",
    label: null,
    value: 3,
  };
  deepStrictEqual(handle(event, ws), { type: "ok" });
  deepStrictEqual(events, [
    { type: "app.log", job: "screen", level: "info", message: "m", at: 0 },
    { type: "app.log", job: "kiosk", level: "info", message: "m", at: 0 },
    { type: "app.log", job: "off", level: "info", message: "m", at: 0 },
    {
      type: "app.event",
      job: "screen",
      category: "ui",
      action: "tap",
      label: null,
      value: 3,
      at: 0,
    },
  ]);
});

Deno.test("restart goes through the supervisor with reason app naming the channel and sender", () => {
  const { handle, api } = setup();
  deepStrictEqual(handle({ type: "restart", job: null }, ws), { type: "ok" });
  deepStrictEqual(
    handle({ type: "restart", job: "x" }, osc),
    refused("unknown-job", 'No job named "x"'),
  );
  deepStrictEqual(api.actions, [{
    method: "restart",
    job: "screen",
    reason: { source: "app", detail: "asked over WebSocket by 127.0.0.1:6000" },
  }]);
});

Deno.test("configRequest answers the config's app section", () => {
  const { handle } = setup();
  deepStrictEqual(handle({ type: "configRequest" }, http), { type: "config", app: { screen: 2 } });
});

Deno.test("a message is an app.message event and a relay reply; HTTP cannot send one", () => {
  const { handle, events } = setup();
  const message: AppCommand = { type: "message", to: "kiosk", args: [{ a: 1 }] };
  deepStrictEqual(handle(message, ws), {
    type: "relay",
    from: "screen",
    to: "kiosk",
    args: [{ a: 1 }],
  });
  deepStrictEqual(events.map((e) => e.type === "app.message" && [e.job, e.channel, e.address]), [
    ["screen", "websocket", "kiosk"],
  ]);
  const { handle: h2, api } = setup();
  const seen: SupEvent[] = [];
  api.bus.on("app.message", (e) => seen.push({ ...e, at: 0 }));
  h2({ type: "message", to: "/custom", args: [1] }, osc);
  deepStrictEqual(seen, [{
    type: "app.message",
    job: null,
    channel: "osc",
    address: "/custom",
    args: [1],
    at: 0,
  }]);
  equal(h2(message, http).type, "refused");
});

Deno.test("register, refresh and unregister answer with the registry's outcome", () => {
  const { handle, apps } = setup();
  const registration: AppRegistration = {
    name: "p",
    timeoutMs: 100,
    action: "none",
    restartCommand: null,
    pid: null,
  };
  const registered = handle({ type: "register", registration }, osc);
  ok(registered.type === "registered" && registered.app.id === "new-id");
  apps.refuse = new AppNotAllowedError("turned off");
  deepStrictEqual(
    handle({ type: "register", registration }, osc),
    refused("not-allowed", "turned off"),
  );
  apps.refuse = new RangeError("pid: no process 9 is running");
  deepStrictEqual(
    handle({ type: "register", registration }, osc),
    refused("bad-register", "pid: no process 9 is running"),
  );
  apps.refuse = new Error("disk full");
  deepStrictEqual(handle({ type: "register", registration }, osc), refused("failed", "disk full"));
  deepStrictEqual(handle({ type: "refresh", id: "known" }, ws), { type: "ok" });
  deepStrictEqual(
    handle({ type: "refresh", id: "gone" }, ws),
    refused("unknown-app", 'No registered app with id "gone"'),
  );
  deepStrictEqual(handle({ type: "unregister", id: "known" }, ws), {
    type: "unregistered",
    id: "known",
    ok: true,
  });
  deepStrictEqual(handle({ type: "unregister", id: "gone" }, ws), {
    type: "unregistered",
    id: "gone",
    ok: false,
  });
});
