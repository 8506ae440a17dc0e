/**
 * The supervisor: feeds each job's state machine its inputs and runs the
 * effects it returns (spawn, signal the group, timers, events). Timers are
 * `setTimeout`s keyed per job; nothing polls. Also decides when jobs the
 * config wants may start (`wait`, `after`), applies reloads, and stops
 * everything in dependency order on shutdown.
 *
 * @module
 */

import { DEFAULT_MACHINE, type ResolvedConfig, type ResolvedJob } from "../config/resolved.ts";
import { UnknownJobError } from "./api.ts";
import type { JobStatus, SupervisorApi } from "./api.ts";
import { EventBus } from "./event_bus.ts";
import type { ActionReason, JobState, MachineAction, ReadySource } from "./events.ts";
import { blockedBy, readyAtSpawn } from "./gates.ts";
import {
  type EntryWiring,
  gateFacts,
  hasProcess,
  type JobEntry,
  newEntry,
  policyOf,
  toStatus,
} from "./job_entry.ts";
import { type JobEffect, type JobInput, transition } from "./job_state.ts";
import { JobOutput } from "./job_output.ts";
import { OutputFiles } from "./output_files.ts";
import { bounded, killGroups, stopInDependencyOrder } from "./stop_order.ts";
import { signalGroup } from "./process_spawner.ts";
import { spawnJob } from "./job_spawn.ts";
import { planReload, type ReloadPlan } from "./reload_plan.ts";
import type { OutputLine } from "./ring_buffer.ts";
import type { RuntimeStateFile } from "./runtime_state.ts";
import { RunTracker } from "./run_tracker.ts";
import { MachineActions, type MachineOptions, type MachineOutcome } from "./machine.ts";
import { supEnvironment } from "./sup_env.ts";
import { JobSwitches, liftedEvent, switchJob, type SwitchOptions } from "./job_switches.ts";

/** What a supervisor is built from. */
export interface SupervisorOptions {
  /** The bus every fact goes to. @default a new bus */
  bus?: EventBus;
  /** Open output files, shared by jobs. @default a new registry */
  files?: OutputFiles;
  /** Where jobs' process groups are recorded. @default none */
  state?: RuntimeStateFile | null;
  /** Reports failures of helpers (side and post-launch commands). @default console.error */
  onError?: (message: string) => void;
  /** Machine actions: notifiers, the on-disk record, the command runner. @default in memory, none */
  machine?: MachineOptions;
  /** Variables every job gets (under its own `env`). @default `supEnvironment` of the config's `network` */
  jobEnv?: () => Record<string, string>;
}

const PROCESS_STATES: ReadonlySet<JobState> = new Set(["starting", "running", "stopping"]);
/** States in which the job's process has been spawned and not yet reaped. */
const LIVE_STATES: ReadonlySet<JobState> = new Set(["running", "stopping"]);

/** Runs jobs; implements `SupervisorApi`. */
export class Supervisor implements SupervisorApi {
  /** The bus every fact is published on. */
  readonly bus: EventBus;
  /** Open output files (SIGUSR1 reopens them). */
  readonly files: OutputFiles;
  /** Every job's current run, fed from the state machine's events. */
  readonly runs: RunTracker;
  #state: RuntimeStateFile | null;
  #onError: (message: string) => void;
  #config: ResolvedConfig | null = null;
  #jobs = new Map<string, JobEntry>();
  /** Jobs the config wants running that wait for a gate. */
  #pending = new Set<JobEntry>();
  /** Stops of removed jobs still in progress, by job name. */
  #retiring = new Map<string, Promise<void>>();
  /** Output captures still reading (awaited, bounded, on shutdown). */
  #output: JobOutput;
  #closing = false;
  /** What every job's entry is wired to. */
  #wiring: EntryWiring;
  #machine: MachineActions;
  #jobEnv: (() => Record<string, string>) | null;
  #switches: JobSwitches;

  /** Builds an idle supervisor; `apply(config)` starts the jobs. */
  constructor(options: SupervisorOptions = {}) {
    this.bus = options.bus ?? new EventBus();
    this.files = options.files ?? new OutputFiles({ bus: this.bus });
    this.#state = options.state ?? null;
    this.#onError = options.onError ?? ((message) => console.error(message));
    this.#machine = new MachineActions(this.bus, () => this.#config?.machine ?? DEFAULT_MACHINE, {
      onError: this.#onError,
      ...options.machine,
    });
    this.#jobEnv = options.jobEnv ?? null;
    this.#switches = new JobSwitches(this.#state);
    this.runs = new RunTracker((error) => this.#onError(`A run observer threw: ${error}`));
    this.#output = new JobOutput(this.bus, this.files, this.#onError);
    this.#wiring = {
      handle: (entry, input) => this.#handle(entry, input),
      capture: (entry, stdout, stderr) => this.#output.capture(entry, stdout, stderr, entry.config),
      state: this.#state,
      onError: this.#onError,
    };
  }

  /** The running config. Throws before the first `apply`. */
  config(): ResolvedConfig {
    if (!this.#config) throw new Error("The supervisor has no config yet: call apply() first");
    return this.#config;
  }

  /** Every job's status, in config order. */
  status(): JobStatus[] {
    return (this.#config?.jobs ?? []).flatMap((job) => this.jobStatus(job.name) ?? []);
  }

  /** One job's status, or undefined. */
  jobStatus(name: string): JobStatus | undefined {
    const entry = this.#jobs.get(name);
    return entry ? toStatus(entry, this.#switches.get(name)) : undefined;
  }

  /**
   * Runs `config`: the first call starts every job that is not disabled (as
   * its gates allow); later calls start added jobs, stop removed ones,
   * restart changed ones and leave the others' processes alone, then emit
   * `config.reloaded`.
   */
  apply(config: ResolvedConfig): ReloadPlan {
    if (this.#closing) return { added: [], removed: [], changed: [] }; // a reload racing shutdown
    const first = this.#config === null;
    const plan = planReload(this.#config?.jobs ?? [], config.jobs);
    for (const lifted of this.#switches.reconcile(config.jobs)) this.bus.emit(liftedEvent(lifted));
    this.#config = config;
    const detail = first ? "sup started" : "config reloaded";
    const reason: ActionReason = { source: "config", detail };
    for (const name of plan.removed) {
      const entry = this.#jobs.get(name)!;
      this.#jobs.delete(name);
      this.#pending.delete(entry);
      const stop = this.#stopEntry(entry, { source: "config", detail: "removed from the config" });
      const done = Promise.all([this.#retiring.get(name), stop]).then(() => {});
      this.#retiring.set(name, done);
      done.finally(() => this.#retiring.get(name) === done && this.#retiring.delete(name));
    }
    const changed = new Set(plan.changed);
    const added = new Set(plan.added);
    for (const job of config.jobs) {
      if (changed.has(job.name)) this.#change(this.#jobs.get(job.name)!, job, reason);
      else if (added.has(job.name)) this.#jobs.set(job.name, newEntry(job, this.#wiring));
    }
    for (const name of plan.added) {
      const entry = this.#jobs.get(name)!;
      // Added back while its old process still stops: start after, never two copies at once.
      const old = this.#retiring.get(name);
      if (!old) this.#want(entry, reason);
      else void old.then(() => this.#jobs.get(name) === entry && this.#wantNow(entry, reason));
    }
    this.#releasePending();
    if (!first) this.bus.emit({ type: "config.reloaded", ...plan, at: Date.now() });
    return plan;
  }

  /** Starts a job now, past its gates (also the way out of `fatal` and `disabled`). */
  start(name: string, reason: ActionReason): void {
    const entry = this.#entry(name);
    if (this.#switches.isOff(name)) return;
    this.#pending.delete(entry);
    entry.inbox.send({ type: "start", reason });
  }

  /** Stops a job; resolves when its process group is gone. */
  stop(name: string, reason: ActionReason): Promise<void> {
    return this.#stopEntry(this.#entry(name), reason);
  }

  /** Stops then starts a job (starts it if not running). */
  restart(name: string, reason: ActionReason): void {
    const entry = this.#entry(name);
    if (this.#switches.isOff(name)) return;
    this.#pending.delete(entry);
    entry.inbox.send({ type: "restart", reason });
  }

  /** Sends `signal` to the job's process group; the restart policy decides what follows. */
  signal(name: string, signal: Deno.Signal, reason: ActionReason): void {
    const pid = toStatus(this.#entry(name)).pid;
    if (pid === null) return;
    this.bus.emit({ type: "job.signaled", job: name, pid, signal, reason, at: Date.now() });
    signalGroup(pid, signal);
  }

  /** Switches a job off (stopped, and kept stopped) or on again; false when it already was. */
  setEnabled(name: string, enabled: boolean, options: SwitchOptions): Promise<boolean> {
    const entry = this.#entry(name);
    return switchJob(this.#switches, entry.config, enabled, options, {
      emit: (event) => this.bus.emit(event),
      stop: (reason) => this.#stopEntry(entry, reason),
      want: (reason) => this.#wantNow(entry, reason),
    });
  }

  /** Reboots or powers off the machine, guarded and notified (`core/machine.ts`). Never throws. */
  machineAction(action: MachineAction, reason: ActionReason): Promise<MachineOutcome> {
    return this.#machine.act(action, reason);
  }

  /** `machineAction("reboot", reason)`. */
  async reboot(reason: ActionReason): Promise<void> {
    await this.#machine.act("reboot", reason);
  }

  /**
   * Marks the job ready (first heartbeat or passing health check since its
   * spawn): `job.ready`, `postLaunchCommand`, releases jobs waiting on it
   * with `after`. A job with neither is ready as soon as it has spawned.
   */
  markReady(name: string, by: ReadySource = "heartbeat"): boolean {
    const entry = this.#jobs.get(name);
    if (!entry || entry.snap.phase.state !== "running") return false;
    entry.inbox.send({ type: "ready", by });
    return true;
  }

  /** The last `n` lines of a job's output (stdout and stderr interleaved); [] for an unknown job. */
  outputTail(name: string, n = 100): string[] {
    return this.#jobs.get(name)?.ring.tail(n) ?? [];
  }

  /** The last `n` lines of a job's output, each with time and stream; [] for an unknown job. */
  outputLines(name: string, n?: number, since?: number): OutputLine[] {
    return this.#jobs.get(name)?.ring.lines(n, since) ?? [];
  }

  /**
   * Stops every job, dependents before what they run `after`, independent
   * jobs in parallel, each bounded by its kill timeout; then closes files.
   */
  async shutdown(): Promise<void> {
    this.#closing = true;
    this.#pending.clear();
    const entries = [...this.#jobs.values()];
    // A job that exits while its dependents are being stopped is not restarted.
    for (const entry of entries) entry.inbox.send({ type: "shutdown" });
    const reason: ActionReason = { source: "shutdown" };
    await stopInDependencyOrder(entries, (entry) => this.#stopEntry(entry, reason));
    await Promise.all(this.#retiring.values());
    for (const entry of entries) {
      entry.timers.clearAll();
      await entry.helpers.stopAll();
    }
    await bounded(Promise.all(this.#output.active), 2_000);
    await this.files.closeAll();
    await this.#state?.flush();
  }

  /**
   * The last resort when `shutdown()` failed: SIGKILL to the process group
   * of every job that has a process, so sup never exits leaving jobs behind.
   */
  killAll(): void {
    killGroups(this.#jobs.values());
  }

  #entry(name: string): JobEntry {
    const entry = this.#jobs.get(name);
    if (!entry) throw new UnknownJobError(name);
    return entry;
  }

  /** The config wants `entry` running: start it now or when its gates open. */
  #want(entry: JobEntry, reason: ActionReason): void {
    if (this.#closing || this.#switches.disabled(entry.config)) return;
    if (this.#blocked(entry) !== null) this.#pending.add(entry);
    else entry.inbox.send({ type: "start", reason });
  }

  #wantNow(entry: JobEntry, reason: ActionReason): void {
    this.#want(entry, reason);
    this.#releasePending();
  }

  #change(entry: JobEntry, job: ResolvedJob, reason: ActionReason): void {
    const changed: ActionReason = { source: "config", detail: "config changed" };
    entry.config = job;
    this.#pending.delete(entry);
    const blocked = job.disabled || this.#blocked(entry) !== null;
    const configure: JobInput = { type: "configure", policy: policyOf(job) };
    if (hasProcess(entry)) {
      // The old process is stopped with the settings it was started with.
      entry.inbox.send({ type: blocked ? "stop" : "restart", reason: changed });
      entry.inbox.send(configure);
      if (blocked) this.#want(entry, reason);
    } else {
      entry.inbox.send(configure);
      if (entry.snap.phase.state === "backoff" || entry.snap.phase.state === "fatal") {
        entry.inbox.send({ type: "stop", reason: changed });
      }
      this.#want(entry, changed);
    }
  }

  #blocked(entry: JobEntry): string | null {
    const jobs = this.#config?.jobs ?? [];
    return blockedBy(jobs, entry.config, (name) => {
      const other = this.#jobs.get(name);
      return other && gateFacts(other);
    });
  }

  #releasePending(): void {
    if (this.#pending.size === 0 || this.#closing) return;
    for (const entry of [...this.#pending]) {
      if (!this.#pending.has(entry) || this.#blocked(entry) !== null) continue;
      this.#pending.delete(entry);
      entry.inbox.send({ type: "start", reason: { source: "config", detail: "gates opened" } });
    }
  }

  #stopEntry(entry: JobEntry, reason: ActionReason): Promise<void> {
    this.#pending.delete(entry);
    const sideEnded = entry.helpers.sideEnded(); // the stop may end the side command at once
    const done = entry.stopped.next();
    entry.inbox.send({ type: "stop", reason });
    if (!hasProcess(entry)) entry.stopped.settle();
    return sideEnded ? Promise.all([done, sideEnded]).then(() => {}) : done;
  }

  #handle(entry: JobEntry, input: JobInput): void {
    const from = entry.snap.phase.state;
    const { snapshot, effects } = transition(entry.snap, input, Date.now());
    entry.snap = snapshot;
    // OS effects first (the restart path spawns before any listener runs), then events.
    for (const effect of effects) if (effect.type !== "emit") this.#run(entry, effect);
    // The run tracker agrees with an event before any bus listener sees it.
    for (const effect of effects) if (effect.type === "emit") this.runs.follow(effect.event);
    for (const effect of effects) if (effect.type === "emit") this.bus.emit(effect.event);
    if (snapshot.phase.state !== from) this.#stateChanged(entry, from);
    else if (input.type === "ready" && effects.length > 0) this.#onReady(entry);
  }

  #run(entry: JobEntry, effect: Exclude<JobEffect, { type: "emit" }>): void {
    switch (effect.type) {
      case "spawn":
        return this.#spawn(entry);
      case "signalGroup":
        signalGroup(effect.pid, effect.signal);
        return;
      case "setTimer":
        return entry.timers.set(effect.timer, effect.ms);
      case "clearTimer":
        return entry.timers.clear(effect.timer);
      default: {
        const never: never = effect;
        throw new Error(`Unknown effect ${JSON.stringify(never)}`);
      }
    }
  }

  #spawn(entry: JobEntry): void {
    const env = () => this.#jobEnv?.() ?? supEnvironment(this.config().network);
    spawnJob(entry, env, this.#output);
  }

  #stateChanged(entry: JobEntry, from: JobState): void {
    const to = entry.snap.phase;
    if (LIVE_STATES.has(from) && !LIVE_STATES.has(to.state)) void entry.helpers.stopSide();
    if (to.state === "running") {
      const { killSignal, killTimeoutMs } = entry.snap.policy;
      this.#state?.setJob(entry.config.name, { pgid: to.pid, killSignal, killTimeoutMs });
      entry.helpers.startSide();
      if (readyAtSpawn(entry.config)) entry.inbox.send({ type: "ready", by: "spawn" });
    } else if (!PROCESS_STATES.has(to.state)) {
      // A job removed then added again while its old process stopped: keep the new record.
      const current = this.#jobs.get(entry.config.name);
      const mine = !current || current === entry || !hasProcess(current);
      if (PROCESS_STATES.has(from) && mine) this.#state?.deleteJob(entry.config.name);
      entry.stopped.settle();
    }
    this.#releasePending();
  }

  #onReady(entry: JobEntry): void {
    entry.helpers.postLaunch();
    this.#releasePending();
  }
}
