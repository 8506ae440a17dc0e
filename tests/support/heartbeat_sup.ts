/**
 * A live sup for heartbeat tests: the real `Supervisor` with real child
 * processes, and the app side `sup run` builds (`buildAppSide`: watchdog,
 * app registry, app command handler, OSC channel on a free UDP port of
 * 127.0.0.1; the WebSocket and HTTP servers are not started). Jobs learn the OSC port from
 * `$OSC_PORT`. `await using` shuts everything down (jobs by process group).
 *
 * @module
 */

import type { ResolvedConfig, ResolvedJob } from "../../src/config/resolved.ts";
import { EventBus } from "../../src/core/event_bus.ts";
import { Supervisor } from "../../src/core/supervisor.ts";
import { type AppSide, buildAppSide } from "../../src/cli/run.ts";
import type { SectionStore } from "../../src/apps/registry.ts";
import type { RebootAdapter } from "../../src/core/reboot.ts";
import { resolvedConfig } from "../../src/testing/resolved_job.ts";
import { type EventLog, record } from "./event_log.ts";

/** A running sup. */
export interface HeartbeatSup extends AsyncDisposable {
  api: Supervisor;
  /** Watchdog, registry, handler and channels as `sup run` builds them. */
  hb: AppSide;
  log: EventLog;
  config: ResolvedConfig;
  /** The OSC channel's UDP port. */
  oscPort: number;
}

/** What to run. */
export interface HeartbeatSupOptions {
  /** The jobs, given the OSC port (also in their env as `OSC_PORT`). */
  jobs: (oscPort: number) => ResolvedJob[];
  app?: Record<string, unknown>;
  /** `network.osc.appPort` (where `/config` answers go). @default 9 (discard) */
  appPort?: number;
  state?: SectionStore | null;
  /** What a reboot runs (`SupervisorOptions.reboot`). @default refuses */
  reboot?: RebootAdapter;
}

/** Starts the OSC channel on a free port, then the jobs. */
export async function startHeartbeatSup(options: HeartbeatSupOptions): Promise<HeartbeatSup> {
  const bus = new EventBus();
  const log = record(bus);
  const api = new Supervisor({
    bus,
    onError: () => {},
    reboot: options.reboot ?? (() => Promise.reject(new Error("no reboot in tests"))),
  });
  const hb = buildAppSide({ api, state: options.state ?? null }, { osc: { reportIntervalMs: 0 } });
  // Not the WebSocket and HTTP servers: they would bind the config's default ports.
  const components = hb.components.filter((c) => c !== hb.websocket && c !== hb.http);
  await hb.osc.start({ host: "127.0.0.1", port: 0 });
  const oscPort = hb.osc.addr!.port;
  const jobs = options.jobs(oscPort).map((job) => ({
    ...job,
    env: { ...job.env, OSC_PORT: String(oscPort) },
  }));
  const config = resolvedConfig(jobs);
  config.app = options.app ?? {};
  config.network.osc = {
    host: "127.0.0.1",
    port: 0,
    appHost: "127.0.0.1",
    appPort: options.appPort ?? 9,
  };
  api.apply(config);
  for (const component of components) await component.apply(config);
  return {
    api,
    hb,
    log,
    config,
    oscPort,
    async [Symbol.asyncDispose]() {
      for (const component of components.reverse()) await component.close();
      await api.shutdown();
      log.stop();
    },
  };
}
