/**
 * The one in-process sup of the tests: the real composition root,
 * `runSup({ load, components, stop })`, run inside the test process on a
 * resolved config the test builds (no config file), with every channel on a
 * free port of 127.0.0.1 and its own state folder. The test reaches the
 * supervisor, the app side and the event log directly. `await using` stops
 * it as SIGTERM stops `sup run` (jobs by process group) and removes the
 * folder.
 *
 * @module
 */

import type { ResolvedConfig, ResolvedJob } from "../../src/config/resolved.ts";
import type { Supervisor } from "../../src/core/supervisor.ts";
import type { Component } from "../../src/core/component.ts";
import type { WebSocketChannel } from "../../src/channels/websocket_channel.ts";
import type { OscChannel } from "../../src/channels/osc_channel.ts";
import type { HttpServer } from "../../src/web/http_server.ts";
import { type AppSide, buildAppSide, runSup } from "../../src/cli/run.ts";
import { appListeners } from "../../src/cli/listeners.ts";
import { BounceProbe } from "../../src/probes/bounce.ts";
import { DependsProbe } from "../../src/probes/depends.ts";
import { MemmonProbe } from "../../src/probes/memmon.ts";
import { ScheduleProbe } from "../../src/probes/schedule.ts";
import { resolvedConfig } from "../../src/testing/resolved_job.ts";
import { type EventLog, record } from "./event_log.ts";
import { freeTcpPort, freeUdpPort } from "./ports.ts";

/** The ports the sup listens on. */
export interface InProcessPorts {
  http: number;
  websocket: number;
  osc: number;
  /** Where OSC answers to apps go (`network.osc.appPort`). */
  appPort: number;
}

/** What to run. */
export interface InProcessSupOptions {
  /** The jobs, given the ports (so a job's env can point at sup). */
  jobs: (ports: InProcessPorts) => ResolvedJob[];
  /** The config's `app` section. */
  app?: Record<string, unknown>;
  /** The config's `apps` section; fields left out take the config defaults. */
  apps?: Partial<ResolvedConfig["apps"]>;
  /** Settings of `network.websocket` besides its address (origins, bounds). */
  websocket?: Partial<ResolvedConfig["network"]["websocket"]>;
  /** `network.osc.appPort`. @default a free port nobody reads */
  appPort?: number;
  /** The config's `machine` section (e.g. a recording `rebootCommand`). @default a command that fails */
  machine?: ResolvedConfig["machine"];
  /** Also run the probes `sup run` runs (depends, bounce, memmon, schedule). @default false */
  probes?: boolean;
  /** The state folder of an earlier sup (a restart of sup keeps its registrations). @default a new one */
  stateDir?: string;
}

/** A running in-process sup; dispose to stop it. */
export interface InProcessSup extends AsyncDisposable {
  /** The supervisor `runSup` built. */
  api: Supervisor;
  /** Everything `sup run` builds around the supervisor for apps. */
  side: AppSide;
  web: HttpServer;
  ws: WebSocketChannel;
  osc: OscChannel;
  /** Every event since before the first job started. */
  log: EventLog;
  ports: InProcessPorts;
  config: ResolvedConfig;
  /** Holds the state file, its lock and the token. */
  stateDir: string;
  /** e.g. "http://127.0.0.1:40123" */
  httpUrl: string;
  /** e.g. "ws://127.0.0.1:40124/app" */
  wsUrl: string;
  /** Stops sup as SIGTERM does; resolves with `runSup`'s exit code. */
  stop(): Promise<number>;
}

/** Starts the sup, resolving once every channel listens and the jobs were started. */
export async function startInProcessSup(options: InProcessSupOptions): Promise<InProcessSup> {
  const ports: InProcessPorts = {
    http: freeTcpPort(),
    websocket: freeTcpPort(),
    osc: await freeUdpPort(),
    appPort: options.appPort ?? await freeUdpPort(),
  };
  const ownDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? await Deno.makeTempDir({ prefix: "sup-in-process-" });
  const config = resolvedConfig(options.jobs(ports), `${stateDir}/sup.config.ts`);
  config.app = options.app ?? {};
  config.apps = { ...config.apps, ...options.apps };
  config.machine = options.machine ?? { rebootCommand: ["/bin/false"] };
  config.network = {
    ...config.network,
    http: { ...config.network.http, host: "127.0.0.1", port: ports.http },
    websocket: {
      ...config.network.websocket,
      ...options.websocket,
      host: "127.0.0.1",
      port: ports.websocket,
    },
    osc: { host: "127.0.0.1", port: ports.osc, appHost: "127.0.0.1", appPort: ports.appPort },
  };

  let built: { api: Supervisor; side: AppSide; log: EventLog } | null = null;
  const started = Promise.withResolvers<void>();
  const stop = Promise.withResolvers<void>();
  const done = runSup({
    load: () => Promise.resolve({ config, files: [] }),
    stateDir,
    configureLogging: false, // the test's own LogTape setup (or none) stays
    stop: stop.promise,
    components: (parts) => {
      const api = parts.api as Supervisor;
      const log = record(api.bus);
      api.bus.on("sup.started", () => started.resolve());
      // Operator routes without the token: route tests call them in-process.
      const side = buildAppSide({ ...parts, operatorToken: null }, {
        osc: { reportIntervalMs: 0 },
      });
      parts.listeners?.push(...appListeners(side));
      built = { api, side, log };
      const probes: Component[] = options.probes
        ? [
          new DependsProbe(api),
          new BounceProbe(api),
          new MemmonProbe(api),
          new ScheduleProbe(api),
        ]
        : [];
      return [...probes, ...side.components];
    },
  });
  const exited = done.then((code) => {
    throw new Error(`sup stopped during start-up with exit code ${code}`);
  });
  try {
    await Promise.race([started.promise, exited]);
  } catch (error) {
    if (ownDir) await Deno.remove(stateDir, { recursive: true }).catch(() => {});
    throw error;
  }
  void exited.catch(() => {});
  const { api, side, log } = built!;
  let stopped: Promise<number> | null = null;
  const stopSup = () => {
    stopped ??= (async () => {
      stop.resolve();
      const code = await done;
      log.stop();
      return code;
    })();
    return stopped;
  };
  return {
    api,
    side,
    web: side.http,
    ws: side.websocket,
    osc: side.osc,
    log,
    ports,
    config,
    stateDir,
    httpUrl: `http://127.0.0.1:${side.http.addr!.port}`,
    wsUrl: `ws://127.0.0.1:${side.websocket.addr!.port}/app`,
    stop: stopSup,
    async [Symbol.asyncDispose]() {
      await stopSup();
      if (ownDir) await Deno.remove(stateDir, { recursive: true }).catch(() => {});
    },
  };
}
