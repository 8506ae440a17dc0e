/**
 * `sup run [config] [mode]`: runs the jobs in the foreground. The
 * composition root of a running sup: loads the config, ends process groups
 * a killed sup left, builds the supervisor and the services around it
 * (probes, heartbeat channels, the web server), reloads on file changes and
 * SIGHUP, reopens log files on SIGUSR1, stops everything on SIGINT/SIGTERM.
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import { getLogger } from "@logtape/logtape";
import { ConfigError, formatIssue } from "../config/config_error.ts";
import { loadConfig, splitConfigList } from "../config/loader.ts";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import { ConfigWatcher } from "../core/config_watcher.ts";
import { logEvents } from "../core/event_logger.ts";
import { reapOrphans, SupAlreadyRunningError } from "../core/orphan_reaper.ts";
import { pid1Warning } from "../core/pid1.ts";
import { RuntimeStateFile, stateFilePath } from "../core/runtime_state.ts";
import { Supervisor } from "../core/supervisor.ts";
import { HeartbeatService } from "../channels/heartbeat_service.ts";
import { WebSocketChannel } from "../channels/websocket_channel.ts";
import { WebService } from "../web/web_service.ts";
import { BounceProbe } from "../probes/bounce.ts";
import { DependsProbe } from "../probes/depends.ts";
import { MemmonProbe } from "../probes/memmon.ts";
import { ScheduleProbe } from "../probes/schedule.ts";
import { configArgument } from "./config_arg.ts";
import { ExitCode, UserError } from "./exit_codes.ts";
import { type LogFlags, setupLogging } from "./logging.ts";

/** Something that lives as long as `sup run` and follows the config (probes, channels, web). */
export interface Service {
  /** Called with the config at start and after every valid reload. */
  apply(config: ResolvedConfig): void | Promise<void>;
  /** Called once on shutdown, before the jobs are stopped. */
  close(): void | Promise<void>;
}

/** Builds a service around the supervisor. */
export type ServiceFactory = (api: SupervisorApi, state: RuntimeStateFile) => Service;

/**
 * The services `sup run` composes, in start order (closed in reverse).
 * Probes, heartbeat channels and the web server add one line each here.
 */
export function defaultServices(): ServiceFactory[] {
  // The heartbeat service (watchdog, registered apps, OSC) builds the context
  // the WebSocket channel and the HTTP API share.
  let heartbeats!: HeartbeatService;
  let websocket!: WebSocketChannel;
  return [
    (api) => new DependsProbe(api),
    (api) => new BounceProbe(api),
    (api) => new MemmonProbe(api),
    (api) => new ScheduleProbe(api),
    (api, state) => heartbeats = new HeartbeatService(api, { state }),
    () => websocket = new WebSocketChannel(heartbeats.context),
    () =>
      new WebService(heartbeats.context, {
        channels: { osc: () => heartbeats.osc.stats(), websocket: () => websocket.stats() },
      }),
  ];
}

/** Options of `runSup`. */
export interface RunOptions {
  /** Config path or comma-separated list; default `sup.config.ts`, then `config.ts`. */
  config?: string;
  mode?: string;
  /** The services to run (default `defaultServices()`). */
  services?: ServiceFactory[];
  /** `-v` / `-q`. */
  flags?: LogFlags;
  /** Resolves to stop sup (tests); signals do the same. */
  stop?: Promise<unknown>;
}

/** The `run` command. */
export function runCommand(): Command<[string | undefined, string | undefined]> {
  return new Command("run")
    .description("run the jobs in the foreground (SIGINT/SIGTERM stop all, SIGHUP reloads)")
    .argument(
      "[config]",
      "config file, or a comma-separated list (default: ./sup.config.ts, then ./config.ts)",
    )
    .argument("[mode]", 'mode to apply, e.g. "dev" or "dev.foo"')
    .action(async (config, mode, _options, command) => {
      const globals = command.optsWithGlobals() as LogFlags;
      const code = await runSup({
        config,
        mode,
        flags: { verbose: globals.verbose, quiet: globals.quiet },
      });
      if (code !== 0) throw new UserError("", ExitCode.Failure);
    });
}

const log = getLogger(["sup"]);

/**
 * Runs sup in the foreground until SIGINT/SIGTERM (or `options.stop`);
 * resolves to the exit code. Throws `ConfigError` when the config cannot be
 * loaded at start, `UserError` when there is none.
 */
export async function runSup(options: RunOptions = {}): Promise<number> {
  const flags = options.flags ?? {};
  // Listen first: a SIGTERM during start-up stops the jobs started so far.
  const signals = new SignalInbox(options.stop);
  try {
    const path = await configArgument(options.config);
    // Watch before loading, so an edit made while sup starts is not missed.
    let reload: () => void = () => {};
    const watcher = new ConfigWatcher(() => reload());
    watcher.watch(splitConfigList(path).slice(0, 1));
    const loaded = await loadConfig(path, options.mode).catch((error) => {
      watcher.close();
      throw error;
    });
    let watched = loaded.files;
    watcher.watch(watched);
    const config = loaded.config;
    let logFile = await setupLogging(config.logging, flags);
    const pid1 = pid1Warning(Deno.pid);
    if (pid1 !== null) log.warn(pid1);

    const state = new RuntimeStateFile(stateFilePath(config.source), config.source);
    if (!await endLeftovers(state)) {
      watcher.close();
      return 1;
    }
    const sup = new Supervisor({ state, onError: (message) => log.error(message) });
    const unlog = logEvents(sup.bus);
    const services = (options.services ?? defaultServices()).map((make) => make(sup, state));
    sup.apply(config);
    for (const service of services) await service.apply(config);
    sup.bus.emit({
      type: "sup.started",
      pid: Deno.pid,
      config: config.source,
      modes: config.modes,
      at: Date.now(),
    });

    const reloadOnce = async () => {
      try {
        const next = await loadConfig(path, options.mode);
        watcher.watch(watched = next.files);
        logFile = await setupLogging(next.config.logging, flags);
        sup.apply(next.config);
        for (const service of services) await service.apply(next.config);
      } catch (error) {
        if (!(error instanceof ConfigError)) {
          log.error(`Reload failed: ${errorText(error)}`);
          return;
        }
        watcher.watch([...new Set([...watched, ...error.files])]);
        const errors = error.issues.map(formatIssue);
        const source = error.source ?? config.source;
        sup.bus.emit({ type: "config.invalid", source, errors, at: Date.now() });
      }
    };
    const reloads = new Serial(reloadOnce);
    reload = () => reloads.run();
    signals.onHangup = reload;
    signals.onUsr1 = () => {
      void sup.files.reopenAll();
      void logFile.reopenOrRotate();
    };

    const stopSignal = await signals.stopped;
    sup.bus.emit({ type: "sup.stopping", signal: stopSignal, at: Date.now() });
    watcher.close();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([reloads.idle(), new Promise((r) => timer = setTimeout(r, 5_000))]);
    clearTimeout(timer);
    for (const service of services.reverse()) {
      try {
        await service.close();
      } catch (error) {
        log.error(`Closing a service failed: ${error}`);
      }
    }
    try {
      await sup.shutdown();
    } catch (error) {
      log.error(`Stopping the jobs failed, killing their process groups: ${errorText(error)}`);
      sup.killAll();
    }
    sup.bus.emit({ type: "sup.stopped", at: Date.now() });
    unlog();
    return 0;
  } finally {
    signals.close();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.stack ?? error.message : String(error);
}

/** Ends the process groups a killed sup left; false when another sup still runs this config. */
async function endLeftovers(state: RuntimeStateFile): Promise<boolean> {
  const previous = state.readPrevious();
  if (!previous) return true;
  try {
    for (const group of await reapOrphans(previous)) {
      const how = group.killed ? "killed" : "stopped";
      log.warn(
        `Job "${group.job}" was left running by a previous sup: ${how} its process group ${group.pgid}`,
      );
    }
    return true;
  } catch (error) {
    if (!(error instanceof SupAlreadyRunningError)) throw error;
    log.error(error.message);
    return false;
  }
}

/** Runs `fn` one call at a time; calls made while it runs coalesce into one more run. */
class Serial {
  #running: Promise<void> | null = null;
  #again = false;
  constructor(readonly fn: () => Promise<void>) {}

  run(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.fn();
      } while (this.#again);
    })().finally(() => this.#running = null);
  }

  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }
}

/** sup's signal handling: SIGINT/SIGTERM stop, SIGHUP and SIGUSR1 call their handlers. */
class SignalInbox {
  /** Resolves with the signal's name (or "stop" when `stop` resolved). */
  readonly stopped: Promise<string>;
  onHangup: () => void = () => {};
  onUsr1: () => void = () => {};
  #removers: (() => void)[] = [];

  constructor(stop?: Promise<unknown>) {
    this.stopped = new Promise((resolve) => {
      this.#listen("SIGINT", () => resolve("SIGINT"));
      this.#listen("SIGTERM", () => resolve("SIGTERM"));
      stop?.then(() => resolve("stop"));
    });
    this.#listen("SIGHUP", () => this.onHangup());
    this.#listen("SIGUSR1", () => this.onUsr1());
  }

  #listen(signal: Deno.Signal, fn: () => void): void {
    Deno.addSignalListener(signal, fn);
    this.#removers.push(() => Deno.removeSignalListener(signal, fn));
  }

  close(): void {
    for (const remove of this.#removers) remove();
  }
}
