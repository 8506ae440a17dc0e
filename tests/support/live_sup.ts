/**
 * A live sup in the test process: the real `Supervisor` running real child
 * processes and the app side `sup run` builds (`buildAppSide`: heartbeat
 * watchdog, app registry, app command handler, OSC, WebSocket and HTTP
 * server), each on a free port of 127.0.0.1. `await using` shuts everything
 * down (jobs by process group).
 *
 * @module
 */

import { freeTcpPort, freeUdpPort } from "./ports.ts";
import type { ResolvedConfig, ResolvedJob } from "../../src/config/resolved.ts";
import { Supervisor } from "../../src/core/supervisor.ts";
import { EventBus } from "../../src/core/event_bus.ts";
import type { WebSocketChannel } from "../../src/channels/websocket_channel.ts";
import type { HttpServer } from "../../src/web/http_server.ts";
import { resolvedConfig } from "../../src/testing/resolved_job.ts";
import { type EventLog, record } from "./event_log.ts";
import type { OscChannel } from "../../src/channels/osc_channel.ts";
import { type AppSide, buildAppSide } from "../../src/cli/run.ts";

/** Ports the live sup listens on. */
export interface LivePorts {
  http: number;
  websocket: number;
  osc: number;
}

/** What to run. */
export interface LiveSupOptions {
  /** The jobs, given the ports (so a job's env can point at sup). */
  jobs: (ports: LivePorts) => ResolvedJob[];
  /** The config's `app` section. */
  app?: Record<string, unknown>;
  /** The config's `apps` section; fields left out take the config defaults. @default only "kill" allowed */
  apps?: Partial<ResolvedConfig["apps"]>;
  /** Settings of `network.websocket` besides its address (origins, bounds). @default the config defaults */
  websocket?: Partial<ResolvedConfig["network"]["websocket"]>;
}

/** A running sup; dispose to stop it. */
export interface LiveSup extends AsyncDisposable {
  api: Supervisor;
  /** Everything `sup run` builds around the supervisor for apps. */
  side: AppSide;
  web: HttpServer;
  ws: WebSocketChannel;
  osc: OscChannel;
  log: EventLog;
  ports: LivePorts;
  config: ResolvedConfig;
  /** e.g. "http://127.0.0.1:40123" */
  httpUrl: string;
  /** e.g. "ws://127.0.0.1:40124/app" */
  wsUrl: string;
}

export { freeTcpPort, freeUdpPort };

/** Starts the jobs and the components around them, on free ports. */
export async function startLiveSup(options: LiveSupOptions): Promise<LiveSup> {
  const ports: LivePorts = {
    http: freeTcpPort(),
    websocket: freeTcpPort(),
    osc: await freeUdpPort(),
  };
  const config = resolvedConfig(options.jobs(ports));
  config.app = options.app ?? {};
  if (options.apps) config.apps = { ...config.apps, ...options.apps };
  config.network = {
    http: { ...config.network.http, host: "127.0.0.1", port: ports.http },
    websocket: {
      ...config.network.websocket,
      ...options.websocket,
      host: "127.0.0.1",
      port: ports.websocket,
    },
    osc: { host: "127.0.0.1", port: ports.osc, appHost: "127.0.0.1", appPort: await freeUdpPort() },
  };
  const bus = new EventBus();
  const log = record(bus);
  const api = new Supervisor({
    bus,
    onError: () => {},
    reboot: () => Promise.reject(new Error("Tests never reboot the machine")),
  });
  // Composed as `sup run` composes them, without the probes.
  const side = buildAppSide({ api, state: null });
  // As in `sup run`: jobs start first, then the components follow the config;
  // apps that come up before the listeners retry (the samples all do).
  api.apply(config);
  for (const component of side.components) await component.apply(config);
  const web = side.http;
  const ws = side.websocket;
  return {
    api,
    side,
    web,
    ws,
    osc: side.osc,
    log,
    ports,
    config,
    httpUrl: `http://127.0.0.1:${web.addr!.port}`,
    wsUrl: `ws://127.0.0.1:${ws.addr!.port}/app`,
    async [Symbol.asyncDispose]() {
      for (const component of [...side.components].reverse()) await component.close();
      await api.shutdown();
      log.stop();
    },
  };
}
