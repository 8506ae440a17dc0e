/**
 * `sup run [config] [mode]`: runs the jobs in the foreground. The one
 * composition root of a running sup: loads the config, ends process groups
 * a killed sup left, builds the supervisor and the components around it
 * (probes; the heartbeat watchdog, the app registry, the app command handler
 * and the channels that decode into it; the HTTP server), reloads on file
 * changes and SIGHUP, reopens log files on SIGUSR1, stops everything on
 * SIGINT/SIGTERM.
 *
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import { getLogger } from "@logtape/logtape";
import { ConfigError, type ConfigIssue, formatIssue } from "../config/config_error.ts";
import { loadConfig, splitConfigList } from "../config/loader.ts";
import { loadConfigInChild } from "../config/load_child.ts";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { Component } from "../core/component.ts";
import { ConfigWatcher } from "../core/config_watcher.ts";
import { logEvents } from "../core/event_logger.ts";
import { reapOrphans } from "../core/orphan_reaper.ts";
import { pid1Warning } from "../core/pid1.ts";
import { RuntimeStateFile, stateFilePath } from "../core/runtime_state.ts";
import { lockFilePath, SupAlreadyRunningError, SupLock } from "../core/sup_lock.ts";
import { StallDetector } from "../core/stall_detector.ts";
import { MemoryTrimmer } from "../core/memory_trim.ts";
import { Supervisor } from "../core/supervisor.ts";
import { removeOperatorToken, tokenFilePath, writeOperatorToken } from "../web/operator_token.ts";
import { configArgument } from "./config_arg.ts";
import { Serial, SignalInbox } from "./run_support.ts";
import {
  boundNetwork,
  type Listener,
  listeningLines,
  notListening,
  unbindable,
} from "./listeners.ts";
import { supEnvironment } from "../core/sup_env.ts";
import { ExitCode, UserError } from "./exit_codes.ts";
import { detachedChores } from "./detached_chores.ts";
import { type LogFlags, setupLogging } from "./logging.ts";

import { type ComponentFactory, defaultComponents } from "./components.ts";
import { NotifierHub } from "../core/notifier_hub.ts";
import { MachineRecord, machineRecordPath } from "../core/machine_record.ts";
import { supControl } from "./control_hooks.ts";

export {
  type AppSide,
  type AppSideOptions,
  buildAppSide,
  type ComponentFactory,
  type ComponentParts,
  defaultComponents,
} from "./components.ts";
import { lazyImport } from "../config/lazy_import.ts";

/** Options of `runSup`. */
export interface RunOptions {
  /** Config path or comma-separated list; default `sup.config.ts`, then `config.ts`. */
  config?: string;
  mode?: string;
  /** Builds the components to run around the supervisor. @default defaultComponents */
  components?: ComponentFactory;
  /** `-v` / `-q`. */
  flags?: LogFlags;
  /** Resolves to stop sup (tests); signals do the same. */
  stop?: Promise<unknown>;
  /**
   * Where the config comes from instead of `config` (embedding, tests): called
   * at start and on every reload (SIGHUP). Nothing is watched then.
   */
  load?: ConfigLoader;
  /** Folder of the runtime state file, its lock and the token. @default see `stateFilePath` */
  stateDir?: string;
  /** False leaves logging as the embedding program set it up (tests). @default true */
  configureLogging?: boolean;
  /** Write sup's pid here once it is up (removed when it stops). @default none */
  pidFile?: string;
  /** The file sup's stdout and stderr are appended to (`--detach`): rotated by sup. @default none */
  outputLog?: string;
}

/** A config from elsewhere than a file: the resolved config and the files to watch. */
export type ConfigLoader = () => Promise<{
  config: ResolvedConfig;
  files: string[];
  /** Of the bytes read (`LoadedConfig.fingerprint`): a reload of unchanged files keeps function listeners. */
  fingerprint?: string;
}>;

/** The `run` command. */
export function runCommand() {
  return new Command("run")
    .description("run the jobs in the foreground (SIGINT/SIGTERM stop all, SIGHUP reloads)")
    .argument(
      "[config]",
      "config file, or a comma-separated list (default: ./sup.config.ts, then ./config.ts)",
    )
    .argument("[mode]", 'mode to apply, e.g. "dev" or "dev.foo"')
    .option("--detach", "run in the background; return once sup is up (output in <state>.log)")
    .option("--guardian", "like --detach, with a guardian that starts sup again if it dies")
    .option("--pid-file <file>", "write sup's pid to this file once it is up")
    .addOption(
      new Option("--output-log <file>", "rotate this file (stdout of --detach)").hideHelp(),
    )
    .action(async (config, mode, options, command) => {
      const globals = command.optsWithGlobals() as LogFlags;
      const flags = { verbose: globals.verbose, quiet: globals.quiet };
      if (options.detach || options.guardian) {
        const { runDetached } = await lazyImport<typeof import("./detach_cmd.ts")>(
          new URL("./detach_cmd.ts", import.meta.url),
        );
        const out = (text: string) => command.configureOutput().writeOut?.(text);
        return await runDetached({ config, mode, guardian: options.guardian === true, flags, out });
      }
      const code = await runSup({
        config,
        mode,
        flags,
        pidFile: options.pidFile,
        outputLog: options.outputLog,
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
  const shutdown = Promise.withResolvers<string>(); // issue 10: `sup shutdown` stops sup as SIGTERM does
  const signals = new SignalInbox(
    options.stop ? Promise.race([options.stop, shutdown.promise]) : shutdown.promise,
  );
  try {
    const path = options.load ? null : await configArgument(options.config);
    // Watch before loading, so an edit made while sup starts is not missed.
    let reload: () => void = () => {};
    const watcher = new ConfigWatcher(() => reload());
    if (path !== null) watcher.watch(splitConfigList(path).slice(0, 1));
    const load = options.load ?? (() => loadConfig(path!, options.mode));
    // In a child process on reloads: the modules a config imports are never freed where they are loaded.
    let fingerprint: string | null = null; // of the running config's files, when known
    const reloadConfig = options.load ??
      (() =>
        loadConfigInChild(
          selfCommand(),
          path!,
          options.mode,
          (why) =>
            log.warn(`Cannot load the config in a child process (${why}): loading it in sup`),
          { config: sup.config(), fingerprint },
        ));
    const loaded = await load().catch((error) => {
      watcher.close();
      throw error;
    });
    let watched = loaded.files;
    fingerprint = loaded.fingerprint ?? null;
    watcher.watch(watched);
    const config = loaded.config;
    const logging = options.configureLogging ?? true;
    let logFile = logging ? await setupLogging(config.logging, flags) : null;
    const pid1 = pid1Warning(Deno.pid);
    if (pid1 !== null) log.warn(pid1);

    const stateDir = options.stateDir;
    const statePath = stateFilePath(config.source, {
      env: (key) => key === "SUP_STATE_DIR" && stateDir ? stateDir : Deno.env.get(key),
    });
    const state = new RuntimeStateFile(statePath, config.source);
    const lock = await endLeftovers(state, config.source);
    if (lock === null) {
      watcher.close();
      return 1;
    }
    using _lock = { [Symbol.dispose]: () => lock.release() };
    const operatorToken = await writeOperatorToken(tokenFilePath(state.path));
    using _token = { [Symbol.dispose]: () => removeOperatorToken(operatorToken) };
    log.info(`Operator token for the HTTP API written to "${operatorToken.path}"`);
    const listeners: Listener[] = [];
    // Where sup listens, for every job's environment: worked out when listeners move, not per spawn.
    let jobEnvironment: Record<string, string> = supEnvironment(config.network);
    const refreshJobEnvironment = (network: ResolvedConfig["network"]) =>
      jobEnvironment = supEnvironment(boundNetwork(listeners, network));
    const notifiers = new NotifierHub();
    // The last machine action, on disk where a reboot does not erase it (reboot-loop guard).
    const machineRecord = new MachineRecord(() =>
      machineRecordPath(config.source, {
        env: (key) => key === "SUP_STATE_DIR" && stateDir ? stateDir : Deno.env.get(key),
      })
    );
    const sup: Supervisor = new Supervisor({
      state,
      onError: (message) => log.error(message),
      jobEnv: () => jobEnvironment,
      machine: { notifiers, record: machineRecord },
    });
    const unlog = logEvents(sup.bus);
    const stall = new StallDetector({ bus: sup.bus });
    using _stall = { [Symbol.dispose]: () => stall.close() };
    // Memory glibc keeps after a flood goes back to the OS once the flood is over.
    const trimmer = new MemoryTrimmer();
    using _trimmer = { [Symbol.dispose]: () => trimmer.close() };
    // What the `sup` CLI may ask; reloads can run once sup has started its jobs.
    let reloadAndWait: (() => Promise<void>) | null = null;
    // The output log of --detach is rotated too, once it is known (after sup started).
    let rotateOutput: () => Promise<unknown> = () => Promise.resolve();
    const rotateFiles = () =>
      Promise.all([sup.files.reopenAll(), logFile?.reopenOrRotate(), rotateOutput()]);
    const control = supControl({
      api: sup,
      stateFile: state.path,
      reload: () => reloadAndWait?.() ?? null,
      rotate: rotateFiles,
      shutdown: (by) => shutdown.resolve(by),
    });
    const startup: Component[] = [];
    const parts = {
      api: sup,
      state,
      stall,
      listeners,
      operatorToken,
      notifiers,
      control,
      startup,
    };
    const components = (options.components ?? defaultComponents)(parts);
    // The control socket first (its name may be taken), so the ports stay unanswered
    // for as short a time as before: they answer before `sup.apply` gives the supervisor a config.
    const busy = await startFirst(startup, config);
    // Listen before any job starts: a port sup cannot bind is a startup error.
    if (busy.length === 0) busy.push(...await unbindable(listeners, config.network, null));
    for (const listener of busy.length ? [] : listeners) await follow(listener.component, config);
    if (busy.length === 0) busy.push(...notListening(listeners, config));
    if (busy.length > 0) {
      for (const problem of busy) log.error(`Cannot start: ${formatIssue(problem)}`);
      for (const component of components.reverse()) await component.close();
      watcher.close();
      unlog();
      return 1;
    }
    for (const line of listeningLines(listeners, null)) log.info(line);
    refreshJobEnvironment(config.network);
    sup.apply(config);
    for (const component of components) await follow(component, config);
    sup.bus.emit({
      type: "sup.started",
      pid: Deno.pid,
      config: config.source,
      modes: config.modes,
      at: Date.now(),
    });
    // --detach, --guardian: the pid file says sup is up; the output log is rotated here.
    await using detached = await detachedChores(options, () => sup.config().logging);
    rotateOutput = () => detached.rotate();

    const reloadOnce = async () => {
      try {
        const next = await reloadConfig();
        watcher.watch(watched = next.files);
        // A port that cannot be bound is refused like an invalid edit: the old listener stays.
        const busy = await unbindable(listeners, next.config.network, sup.config().network);
        if (busy.length > 0) throw new ConfigError(busy, { source: next.config.source });
        // Reconfiguring LogTape keeps a little each time: only when the settings changed.
        if (
          logging && JSON.stringify(next.config.logging) !== JSON.stringify(sup.config().logging)
        ) {
          logFile = await setupLogging(next.config.logging, flags);
        }
        const before = listeners.map((listener) => listener.component.addr);
        sup.apply(next.config);
        fingerprint = next.fingerprint ?? null;
        for (const component of components) await follow(component, next.config);
        for (const line of listeningLines(listeners, before)) log.info(line);
        refreshJobEnvironment(next.config.network);
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
    reloadAndWait = () => (reloads.run(), reloads.idle());
    signals.onHangup = reload;
    signals.onUsr1 = () => void rotateFiles();

    const stopSignal = await signals.stopped;
    sup.bus.emit({ type: "sup.stopping", signal: stopSignal, at: Date.now() });
    watcher.close();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([reloads.idle(), new Promise((r) => timer = setTimeout(r, 5_000))]);
    clearTimeout(timer);
    // Log and event streams end on sup.stopping: a turn of the event loop lets their last
    // bytes go out before the servers close (a closing server cuts streams still open).
    await new Promise((r) => setTimeout(r, 10));
    for (const component of components.reverse()) {
      try {
        await component.close();
      } catch (error) {
        log.error(`Closing a component failed: ${errorText(error)}`);
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

/** Hands `config` to a component; a failure (e.g. a port that cannot be bound) is logged, sup keeps running. */
async function follow(component: Component, config: ResolvedConfig): Promise<void> {
  try {
    await component.apply(config);
  } catch (error) {
    log.error(error instanceof Error ? error.message : String(error));
  }
}

/** Applies the components that must be up before any job starts; what fails, as issues. */
async function startFirst(startup: Component[], config: ResolvedConfig): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = [];
  for (const component of startup) {
    try {
      await component.apply(config);
    } catch (error) {
      issues.push({ path: "", message: error instanceof Error ? error.message : String(error) });
    }
  }
  return issues;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.stack ?? error.message : String(error);
}

/**
 * Takes the config's lock, then ends the process groups a killed sup left;
 * null when another sup holds the lock (it still runs this config).
 */
async function endLeftovers(state: RuntimeStateFile, config: string): Promise<SupLock | null> {
  let lock: SupLock;
  try {
    lock = SupLock.acquire(lockFilePath(state.path), config);
  } catch (error) {
    if (!(error instanceof SupAlreadyRunningError)) throw error;
    log.error(error.message);
    return null;
  }
  const previous = state.readPrevious();
  if (!previous) return lock;
  for (const group of await reapOrphans(previous)) {
    const how = group.killed ? "killed" : "stopped";
    log.warn(
      `Job "${group.job}" was left running by a previous sup: ${how} its process group ${group.pgid}`,
    );
  }
  return lock;
}

/** How to start this program again: the compiled binary itself, or `deno run -A main.ts`. */
export function selfCommand(): string[] {
  if (Deno.build.standalone) return [Deno.execPath()];
  return [Deno.execPath(), "run", "-A", new URL("../../main.ts", import.meta.url).pathname];
}
