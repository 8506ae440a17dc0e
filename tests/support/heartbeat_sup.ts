/**
 * A live sup for heartbeat tests: the real `Supervisor` with real child
 * processes, and the real `HeartbeatService` (watchdog, app registry, OSC
 * channel on a free UDP port of 127.0.0.1). Jobs learn the OSC port from
 * `$OSC_PORT`. `await using` shuts everything down (jobs by process group).
 *
 * @module
 */

import type { ResolvedConfig, ResolvedJob } from "../../src/config/resolved.ts";
import { EventBus } from "../../src/core/event_bus.ts";
import { Supervisor } from "../../src/core/supervisor.ts";
import { HeartbeatService } from "../../src/channels/heartbeat_service.ts";
import type { SectionStore } from "../../src/apps/registry.ts";
import type { RebootAdapter } from "../../src/core/reboot.ts";
import { resolvedConfig } from "../../src/testing/resolved_job.ts";
import { type EventLog, record } from "./event_record.ts";

/** A running sup. */
export interface HeartbeatSup extends AsyncDisposable {
  api: Supervisor;
  hb: HeartbeatService;
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
  reboot?: RebootAdapter;
}

/** Starts the OSC channel on a free port, then the jobs. */
export async function startHeartbeatSup(options: HeartbeatSupOptions): Promise<HeartbeatSup> {
  const bus = new EventBus();
  const log = record(bus);
  const reboot = options.reboot ?? (() => Promise.reject(new Error("no reboot in tests")));
  const api = new Supervisor({ bus, onError: () => {}, reboot });
  const hb = new HeartbeatService(api, {
    state: options.state ?? null,
    reboot,
    osc: { reportIntervalMs: 0 },
  });
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
  await hb.apply(config);
  return {
    api,
    hb,
    log,
    config,
    oscPort,
    async [Symbol.asyncDispose]() {
      await hb.close();
      await api.shutdown();
      log.stop();
    },
  };
}
