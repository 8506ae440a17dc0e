/**
 * What a running sup is made of around the supervisor: the probes, the app
 * side (watchdog, registry, handler, channels, HTTP server) and the
 * features a config may ask for, each loaded only when it does
 * (`lazyComponent`). `cli/run.ts` hands the parts in; this module only
 * builds.
 *
 * @module
 */

import type { SupervisorApi } from "../core/api.ts";
import type { Component } from "../core/component.ts";
import { EventHistory } from "../core/event_history.ts";
import { NotifierHub } from "../core/notifier_hub.ts";
import type { StallCheck } from "../core/stall_detector.ts";
import { lazyComponent } from "../core/lazy_component.ts";
import { EVENT_FILE_TYPES, lazyWithEarlyEvents } from "../notify/event_file_early.ts";
import type { HandleAppCommand } from "../apps/app_command.ts";
import { appCommandHandler } from "../apps/app_command_handler.ts";
import { logAppEvents } from "../apps/app_event_log.ts";
import { AppRegistry, type SectionStore } from "../apps/registry.ts";
import { OscChannel, type OscChannelOptions } from "../channels/osc_channel.ts";
import { WebSocketChannel } from "../channels/websocket_channel.ts";
import { socketOwnerUid } from "../net/socket_owner.ts";
import { createHttpApp } from "../web/http_app.ts";
import { HttpServer } from "../web/http_server.ts";
import { type OperatorToken, requireOperatorToken } from "../web/operator_token.ts";
import { BounceProbe } from "../probes/bounce.ts";
import { DependsProbe } from "../probes/depends.ts";
import { HeartbeatWatchdog } from "../probes/heartbeat.ts";
import { MemmonProbe } from "../probes/memmon.ts";
import { ScheduleProbe } from "../probes/schedule.ts";
import { appListeners, type Listener } from "./listeners.ts";
import { buildMonitoring } from "./monitoring.ts";
import type { SupControl } from "../web/control_routes.ts";
import type { UsageSampler } from "../probes/proc_usage.ts";
import { socketPath } from "../control/socket_path.ts";
import { lazyImport } from "../config/lazy_import.ts";

/** What components are built from. */
export interface ComponentParts {
  /** The supervisor. */
  api: SupervisorApi;
  /** Where registered apps persist (the runtime state file); null keeps them in memory. */
  state: SectionStore | null;
  /** The token operator routes over TCP require (`sup run` always has one); null leaves them open (tests). */
  operatorToken?: OperatorToken | null;
  /** Asked by watchdogs before they act on a deadline: did sup itself stall? @default none */
  stall?: StallCheck;
  /** Filled with sup's listeners (bound before any job starts, checked on reloads). @default none */
  listeners?: Listener[];
  /** Where notifications go (mail, webhooks register here). @default a hub of its own */
  notifiers?: NotifierHub;
  // The control socket and the `sup` CLI's routes
  /** What the CLI's control routes may do (reload, rotate, shutdown); none: not served. */
  control?: SupControl;
  /** Filled with components bound before any job starts, whose failure stops sup's start. */
  startup?: Component[];
}

/** Builds the components of a running sup, in start order (they are closed in reverse). */
export type ComponentFactory = (parts: ComponentParts) => Component[];

/** The app side of a running sup: how apps talk to it and what watches them. */
export interface AppSide {
  /** Job heartbeats (ampm's heartbeat and startup timeouts). */
  watchdog: HeartbeatWatchdog;
  /** Self-registered apps (Digi appmonitor). */
  apps: AppRegistry;
  /** The one app command handler every channel decodes into. */
  handle: HandleAppCommand;
  /** OSC over UDP on `network.osc`. */
  osc: OscChannel;
  /** JSON frames on `network.websocket`. */
  websocket: WebSocketChannel;
  /** The HTTP API (app routes and operator routes) on `network.http`. */
  http: HttpServer;
  /** The pieces above that follow the config, in start order. */
  components: Component[];
}

/** Tuning of the app side (tests). */
export interface AppSideOptions {
  /** OSC channel tuning. */
  osc?: OscChannelOptions;
}

/**
 * Builds the app side in order, each piece from the ones before it: the
 * watchdog and the registry, the handler over them, the channels over the
 * handler, the HTTP server over the handler and the channels' counters.
 */
export function buildAppSide(parts: ComponentParts, options: AppSideOptions = {}): AppSide {
  const { api, state } = parts;
  // Subscribed before the supervisor's first `apply`, so no app event is missed.
  const appLog: Component = { apply() {}, close: logAppEvents(api.bus) };
  // Recent events for `sup events` (issue 10), recorded from before the first job starts.
  const events = new EventHistory(api.bus);
  const history: Component = { apply() {}, close: () => events.close() };
  const watchdog = new HeartbeatWatchdog(api, { stall: parts.stall });
  const apps = new AppRegistry({ api, store: state, stall: parts.stall });
  const handle = appCommandHandler({ api, heartbeats: watchdog, apps, senderUid: socketOwnerUid });
  const osc = new OscChannel({ api, handle }, options.osc);
  const websocket = new WebSocketChannel({ api, handle });
  const http = new HttpServer(createHttpApp({
    api,
    handle,
    listApps: () => apps.list(),
    channels: { osc: () => osc.stats(), websocket: () => websocket.stats() },
    operatorGuard: parts.operatorToken ? requireOperatorToken(parts.operatorToken) : undefined,
    events,
    control: parts.control && {
      control: parts.control,
      lastHeartbeat: (job) => watchdog.info(job)?.lastSeen ?? null,
      usage: usageReader(),
    },
  }));
  return {
    watchdog,
    apps,
    handle,
    osc,
    websocket,
    http,
    components: [appLog, history, apps, watchdog, osc, websocket, http],
  };
}

/** The components `sup run` composes: the probes, then the app side, then the features a config asks for. */
export function defaultComponents(parts: ComponentParts): Component[] {
  const { api } = parts;
  const side = buildAppSide(parts);
  parts.listeners?.push(...appListeners(side));
  const monitoring = buildMonitoring(parts, side); // issue 10: metrics, pmtr
  return [
    new DependsProbe(api),
    new BounceProbe(api),
    new MemmonProbe(api),
    new ScheduleProbe(api),
    ...side.components,
    // Features, each a lazyComponent(needed, () => import(...)) so an unused one costs nothing:
    // Health checks
    lazyComponent(
      (config) => config.jobs.some((job) => job.health !== null),
      async () =>
        new (await lazyImport<typeof import("../probes/health.ts")>(
          new URL("../probes/health.ts", import.meta.url),
        )).HealthWatchdog(api, { stall: parts.stall }),
    ),
    // Listeners
    lazyComponent(
      (config) => config.listeners.length > 0,
      async () =>
        new (await lazyImport<typeof import("../notify/listener_runtime.ts")>(
          new URL("../notify/listener_runtime.ts", import.meta.url),
        )).ListenerRuntime({
          api,
          notifiers: parts.notifiers,
          // Both channels: an app may hold a WebSocket and talk OSC too.
          send: (job, data) =>
            [side.websocket.sendTo(job, data), side.osc.sendTo(job, data)].some(Boolean),
        }),
    ),
    // Mail
    lazyComponent(
      (config) => config.mail !== null,
      async () =>
        (await lazyImport<typeof import("../notify/mail_component.ts")>(
          new URL("../notify/mail_component.ts", import.meta.url),
        )).mailComponent(parts),
    ),
    // Webhook, analytics, event log, machine
    lazyComponent(
      (config) => config.listeners.some((l) => l.type === "builtin" && l.kind === "webhook"),
      async () =>
        new (await lazyImport<typeof import("../notify/webhook_notifiers.ts")>(
          new URL("../notify/webhook_notifiers.ts", import.meta.url),
        )).WebhookNotifiers(
          parts.notifiers ?? new NotifierHub(),
          api.bus,
        ),
    ),
    lazyWithEarlyEvents(
      api.bus,
      EVENT_FILE_TYPES,
      (config) => config.logging.events !== null,
      async () =>
        new (await lazyImport<typeof import("../notify/event_file.ts")>(
          new URL("../notify/event_file.ts", import.meta.url),
        )).EventFile(api.bus),
    ),
    lazyWithEarlyEvents(
      api.bus,
      ["app.event"],
      (config) => config.analytics !== null,
      async () =>
        new (await lazyImport<typeof import("../notify/analytics.ts")>(
          new URL("../notify/analytics.ts", import.meta.url),
        )).Analytics(api.bus),
    ),
    lazyComponent(
      ({ machine: m }) =>
        m.restartSchedule !== null || m.shutdownSchedule !== null ||
        m.restartAfter !== null,
      async () =>
        new (await lazyImport<typeof import("../probes/machine_schedule.ts")>(
          new URL("../probes/machine_schedule.ts", import.meta.url),
        )).MachineScheduleProbe(api),
    ),
    // Control socket
    ...controlSocket(parts, side),
    // Metrics
    monitoring.metrics,
    // pmtr report and control
    monitoring.pmtr,
  ];
}

/**
 * Memory and CPU of jobs' process groups for `sup status` (sampled in the
 * background for 30 s after a request); the sampler loads with the first
 * status asked for.
 */
function usageReader() {
  let sampler: Promise<UsageSampler> | null = null;
  return async (groups: ReadonlyMap<number, number>) => {
    sampler ??= lazyImport<typeof import("../probes/proc_usage.ts")>(
      new URL("../probes/proc_usage.ts", import.meta.url),
    ).then((m) => new m.UsageSampler());
    return (await sampler).usage(groups);
  };
}

/**
 * The control socket (unless `network.socket: false`): the HTTP app's
 * routes for the `sup` CLI, bound before any job starts.
 */
function controlSocket(parts: ComponentParts, side: AppSide): Component[] {
  const control = parts.control;
  if (!control) return [];
  const socket = lazyComponent(
    (config) => config.network.socket !== null,
    async () =>
      new (await lazyImport<typeof import("../control/socket_server.ts")>(
        new URL("../control/socket_server.ts", import.meta.url),
      )).ControlSocket({
        fetch: (request) => side.http.app.fetch(request),
        where: (config) => socketPath(config, control.stateFile),
        token: parts.operatorToken?.token ?? null,
      }),
  );
  parts.startup?.push(socket);
  return [socket];
}
