/**
 * A live sup for heartbeat tests: the one in-process sup
 * (`in_process_sup.ts`, the real `runSup`), whose jobs also find the OSC port
 * in `$OSC_PORT`. `await using` shuts everything down (jobs by process group).
 *
 * @module
 */

import type { ResolvedConfig, ResolvedJob } from "../../src/config/resolved.ts";
import type { AppSide } from "../../src/cli/run.ts";
import type { Supervisor } from "../../src/core/supervisor.ts";
import type { EventLog } from "./event_log.ts";
import { startInProcessSup } from "./in_process_sup.ts";

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
  /** `network.osc.appPort` (where `/config` answers go). @default a free port nobody reads */
  appPort?: number;
  /** The config's `machine` section (a recording `rebootCommand`), over the defaults. @default a command that fails */
  machine?: Partial<ResolvedConfig["machine"]>;
}

/** Starts the channels on free ports, then the jobs. */
export async function startHeartbeatSup(options: HeartbeatSupOptions): Promise<HeartbeatSup> {
  const sup = await startInProcessSup({
    jobs: (ports) =>
      options.jobs(ports.osc).map((job) => ({
        ...job,
        env: { ...job.env, OSC_PORT: String(ports.osc) },
      })),
    app: options.app,
    appPort: options.appPort,
    machine: options.machine,
  });
  return {
    api: sup.api,
    hb: sup.side,
    log: sup.log,
    config: sup.config,
    oscPort: sup.ports.osc,
    [Symbol.asyncDispose]: () => sup[Symbol.asyncDispose](),
  };
}
