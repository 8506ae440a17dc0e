/**
 * The one job state machine. `transition(snapshot, input, now)` is pure: it
 * returns the next snapshot and the effects (spawn, signal, timers, events)
 * the supervisor must run. Timers come back as inputs; nothing polls.
 *
 * The table (`JOB_TABLE` in `job_table.ts`, which a test walks pair by
 * pair; this copy is checked against it): for each input, the states each
 * state may move to; `·` is "stays as it is".
 *
 * | input \ state        | stopped  | starting | running                             | stopping             | backoff  | exited   | fatal    |
 * | -------------------- | -------- | -------- | ----------------------------------- | -------------------- | -------- | -------- | -------- |
 * | start                | starting | ·        | ·                                   | ·                    | starting | starting | starting |
 * | restart              | starting | ·        | stopping                            | ·                    | starting | starting | starting |
 * | stop                 | ·        | stopped  | stopping                            | ·                    | stopped  | ·        | ·        |
 * | spawned              | ·        | running  | ·                                   | ·                    | ·        | ·        | ·        |
 * | spawnFailed          | ·        | fatal    | ·                                   | ·                    | ·        | ·        | ·        |
 * | exited               | ·        | ·        | ·, starting, backoff, exited, fatal | ·, stopped, starting | ·        | ·        | ·        |
 * | ready                | ·        | ·        | ·                                   | ·                    | ·        | ·        | ·        |
 * | killTimeout          | ·        | ·        | ·                                   | ·                    | ·        | ·        | ·        |
 * | backoffElapsed       | ·        | ·        | ·                                   | ·                    | starting | ·        | ·        |
 * | fatalRetryElapsed    | ·        | ·        | ·                                   | ·                    | ·        | ·        | starting |
 * | startupWindowElapsed | ·        | ·        | ·                                   | ·                    | ·        | ·        | ·        |
 * | configure            | ·        | ·        | ·                                   | ·                    | ·        | ·        | ·        |
 * | shutdown             | ·        | ·        | ·                                   | ·                    | ·        | ·        | ·        |
 *
 * Effects along the way: every move to `starting` spawns the process (a
 * `backoff` or `fatal` timer is cleared first); `running` → `stopping` sends
 * the job's killSignal to its process group and arms the kill timer, whose
 * `killTimeout` sends SIGKILL; `spawned` outside `starting` kills the
 * unwanted process; `ready` in `running` marks the run ready once
 * (`job.ready`); `startupWindowElapsed` in `running` resets the quick
 * deaths; `start`/`restart` while `stopping` start the job again after the
 * exit, `stop` cancels that. The exit of a process that is not the job's
 * current one changes nothing. `configure` takes a changed config's policy
 * and resets the quick deaths; `shutdown` makes every later exit final and
 * every later `start`, `restart` or timer a no-op (no input leads to
 * `starting` after it).
 *
 * After an exit from `running`, the restart policy decides: `once`/`wait`
 * jobs that exit 0, exit codes in `noRestartExitCodes`, `restart: "never"`,
 * and `restart: "on-failure"` with exit 0 go to `exited`. Otherwise a run
 * that outlived `minUptime` is restarted at once (retries reset); a quicker
 * death counts as a retry and waits in `backoff` (initial delay doubling up
 * to the cap) until `maxRetries` quick deaths in a row make the job `fatal`.
 *
 * A failing `once` or `wait` job (exit code not 0, or killed by a signal) is
 * retried like `restart: "on-failure"`, with the same backoff and the same
 * road to `fatal`, unless its policy is `restart: "never"`. A setup job that
 * failed because a database was not up yet gets another chance; one that
 * keeps failing ends `fatal` and keeps the jobs it gates waiting.
 *
 * `fatal` is left by a manual start, a change of the job's config, or the
 * `retryFatalAfterMs` timer when set.
 *
 * When a job's process (its group leader) exits, whatever is left in its
 * process group is sent SIGKILL: a restart never runs beside leftovers of
 * the previous run, and a stop leaves no grandchild behind.
 *
 * @module
 */

import type { ResolvedJob } from "../config/resolved.ts";
import type { RestartPolicy, StopSignal } from "../config/types.ts";
import type { ActionReason, ReadySource, SupEvent } from "./events.ts";
import { Builder, phasePid } from "./job_transition.ts";

/**
 * The part of a job's config the state machine decides with (`once` is also
 * set for `wait` jobs: they run to completion).
 */
export type JobPolicy = Pick<
  ResolvedJob,
  | "restart"
  | "noRestartExitCodes"
  | "minUptimeMs"
  | "backoffInitialMs"
  | "backoffMaxMs"
  | "maxRetries"
  | "retryFatalAfterMs"
  | "killSignal"
  | "killTimeoutMs"
  | "once"
>;

/** Per-state data: a pid exists only where a process does. */
export type JobPhase =
  | { state: "stopped" }
  | { state: "starting" }
  | { state: "running"; pid: number; startedAt: number; ready: boolean }
  | { state: "stopping"; pid: number; startedAt: number; then: "stop" | "restart"; killed: boolean }
  | { state: "backoff"; delayMs: number }
  | { state: "exited"; code: number | null; signal: string | null }
  | { state: "fatal"; message: string };

/** How the last process ended. */
export interface LastExit {
  code: number | null;
  signal: string | null;
  at: number;
}

/** Everything the state machine knows about one job. */
export interface JobSnapshot {
  job: string;
  policy: JobPolicy;
  phase: JobPhase;
  /** Quick deaths in a row. */
  retries: number;
  /** Spawns after the first one, all sources. */
  restarts: number;
  /** Spawns so far. */
  spawns: number;
  lastExit: LastExit | null;
  lastReason: ActionReason | null;
  /** sup is shutting down (`shutdown` input): no input starts a process any more. */
  shuttingDown: boolean;
}

/** What the supervisor feeds the state machine. */
export type JobInput =
  | { type: "start"; reason: ActionReason }
  | { type: "stop"; reason: ActionReason }
  | { type: "restart"; reason: ActionReason }
  | { type: "spawned"; pid: number; argv: string[] }
  | { type: "spawnFailed"; message: string }
  | {
    type: "exited";
    pid: number;
    code: number | null;
    signal: string | null;
    /** The last lines of stderr, for `job.exited`. */
    stderrTail: string[];
    /**
     * Set when the process was a wrapper (`setsid`, `prlimit`) that could
     * not execute the job's command: the job goes `fatal` with this message.
     */
    execFailed?: string | null;
  }
  | { type: "ready"; by: ReadySource }
  | { type: "killTimeout" }
  | { type: "backoffElapsed" }
  | { type: "fatalRetryElapsed" }
  | { type: "startupWindowElapsed" }
  /** The job's config changed: the new policy applies from now on, quick deaths count from 0. */
  | { type: "configure"; policy: JobPolicy }
  /** sup is shutting down: from now on no exit restarts and nothing starts the job. */
  | { type: "shutdown" };

/** The `type` tags of all inputs. */
export type JobInputType = JobInput["type"];

/** The timers a job may have running; at most one of each. */
export type JobTimer = "kill" | "backoff" | "fatalRetry" | "uptime";

/** What the supervisor must do after a transition, in order. */
export type JobEffect =
  | { type: "spawn" }
  | { type: "signalGroup"; pid: number; signal: StopSignal }
  | { type: "setTimer"; timer: JobTimer; ms: number }
  | { type: "clearTimer"; timer: JobTimer }
  | { type: "emit"; event: SupEvent };

/** The result of one transition. */
export interface Transition {
  snapshot: JobSnapshot;
  effects: JobEffect[];
}

/** A fresh snapshot for a job that has never run. */
export function initialSnapshot(job: string, policy: JobPolicy): JobSnapshot {
  return {
    job,
    policy,
    phase: { state: "stopped" },
    retries: 0,
    restarts: 0,
    spawns: 0,
    lastExit: null,
    lastReason: null,
    shuttingDown: false,
  };
}

/** The backoff delay after the `retries`-th quick death in a row (1-based). */
export function backoffDelay(policy: JobPolicy, retries: number): number {
  const exp = Math.min(Math.max(retries - 1, 0), 40);
  return Math.min(policy.backoffInitialMs * 2 ** exp, policy.backoffMaxMs);
}

/** The pid of the job's live process, if any. */
export { phasePid };

/** Computes the next snapshot and the effects of `input` at time `now`. */
export function transition(snapshot: JobSnapshot, input: JobInput, now: number): Transition {
  const t = new Builder(snapshot, now);
  const phase = snapshot.phase;
  switch (input.type) {
    case "start":
    case "restart":
      return onStartOrRestart(t, input.type, input.reason);
    case "stop":
      return onStop(t, input.reason);
    case "spawned":
      if (phase.state !== "starting") {
        // Nobody wants this process any more (stopped while spawning).
        t.effect({ type: "signalGroup", pid: input.pid, signal: "SIGKILL" });
        return t.done();
      }
      t.emit({ type: "job.spawned", job: t.job, pid: input.pid, argv: input.argv });
      t.effect({ type: "setTimer", timer: "uptime", ms: snapshot.policy.minUptimeMs });
      return t.to({ state: "running", pid: input.pid, startedAt: now, ready: false }, t.reason());
    case "spawnFailed":
      if (phase.state !== "starting") return t.done();
      t.emit({ type: "job.spawnFailed", job: t.job, message: input.message });
      return t.toFatal(input.message);
    case "exited":
      return onExited(t, input);
    case "ready":
      if (phase.state !== "running" || phase.ready) return t.done();
      t.emit({ type: "job.ready", job: t.job, pid: phase.pid, by: input.by });
      return t.set({ phase: { ...phase, ready: true } }).done();
    case "killTimeout":
      if (phase.state !== "stopping") return t.done();
      t.effect({ type: "signalGroup", pid: phase.pid, signal: "SIGKILL" });
      return t.set({ phase: { ...phase, killed: true } }).done();
    case "backoffElapsed":
      if (phase.state !== "backoff" || snapshot.shuttingDown) return t.done();
      return t.toStarting({ source: "crash", detail: `retry ${snapshot.retries} after backoff` });
    case "fatalRetryElapsed":
      if (phase.state !== "fatal" || snapshot.shuttingDown) return t.done();
      t.set({ retries: 0 });
      return t.toStarting({ source: "retry", detail: "retrying a fatal job" });
    case "startupWindowElapsed":
      if (phase.state !== "running") return t.done();
      return t.set({ retries: 0 }).done();
    case "configure":
      return t.set({ policy: input.policy, retries: 0 }).done();
    case "shutdown":
      return t.set({ shuttingDown: true }).done();
    default: {
      const never: never = input;
      throw new Error(`Unknown job input ${JSON.stringify(never)}`);
    }
  }
}

function onStartOrRestart(
  t: Builder,
  action: "start" | "restart",
  reason: ActionReason,
): Transition {
  const phase = t.snap.phase;
  if (t.snap.shuttingDown) return t.done(); // a process started now would outlive sup
  switch (phase.state) {
    case "starting":
      return t.done();
    case "running":
      if (action === "start") return t.done();
      t.emit({ type: "job.action", job: t.job, action, reason });
      return t.toStopping(phase.pid, phase.startedAt, "restart", reason);
    case "stopping":
      t.emit({ type: "job.action", job: t.job, action, reason });
      t.set({ lastReason: reason });
      return t.set({ phase: { ...phase, then: "restart" } }).done();
    case "backoff":
      t.effect({ type: "clearTimer", timer: "backoff" });
      break;
    case "fatal":
      t.effect({ type: "clearTimer", timer: "fatalRetry" });
      t.set({ retries: 0 });
      break;
    case "stopped":
    case "exited":
      break;
  }
  t.emit({ type: "job.action", job: t.job, action, reason });
  return t.toStarting(reason);
}

function onStop(t: Builder, reason: ActionReason): Transition {
  const phase = t.snap.phase;
  switch (phase.state) {
    case "running":
      t.emit({ type: "job.action", job: t.job, action: "stop", reason });
      return t.toStopping(phase.pid, phase.startedAt, "stop", reason);
    case "stopping":
      if (phase.then === "stop") return t.done();
      t.emit({ type: "job.action", job: t.job, action: "stop", reason });
      t.set({ lastReason: reason });
      return t.set({ phase: { ...phase, then: "stop" } }).done();
    case "backoff":
    case "starting":
      t.effect({ type: "clearTimer", timer: "backoff" });
      t.emit({ type: "job.action", job: t.job, action: "stop", reason });
      return t.to({ state: "stopped" }, reason);
    case "fatal":
      t.effect({ type: "clearTimer", timer: "fatalRetry" });
      return t.done();
    case "stopped":
    case "exited":
      return t.done();
  }
}

function onExited(t: Builder, input: Extract<JobInput, { type: "exited" }>): Transition {
  const phase = t.snap.phase;
  if ((phase.state !== "running" && phase.state !== "stopping") || phase.pid !== input.pid) {
    return t.done();
  }
  const result = afterExit(t, input, phase);
  // Whatever is left of the job's process group goes with its leader (after
  // any respawn, which is the latency that matters).
  result.effects.push({ type: "signalGroup", pid: phase.pid, signal: "SIGKILL" });
  return result;
}

function afterExit(
  t: Builder,
  input: Extract<JobInput, { type: "exited" }>,
  phase: Extract<JobPhase, { state: "running" | "stopping" }>,
): Transition {
  const { code, signal } = input;
  const policy = t.snap.policy;
  const uptimeMs = t.now - phase.startedAt;
  const clean = code === 0;
  const finished = policy.once && clean;
  const expected = phase.state === "stopping" || finished;
  t.ended = { code, signal, uptimeMs };
  t.effect({ type: "clearTimer", timer: "uptime" });
  t.emit({
    type: "job.exited",
    job: t.job,
    pid: phase.pid,
    code,
    signal,
    uptimeMs,
    expected,
    stderrTail: input.stderrTail,
  });
  t.set({ lastExit: { code, signal, at: t.now } });
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;

  if (phase.state === "stopping") {
    t.effect({ type: "clearTimer", timer: "kill" });
    if (phase.then === "restart" && !t.snap.shuttingDown) return t.toStarting(t.reason());
    return t.to({ state: "stopped" }, t.reason());
  }

  if (input.execFailed) {
    t.emit({ type: "job.spawnFailed", job: t.job, message: input.execFailed });
    return t.toFatal(input.execFailed);
  }
  const restartPolicy: RestartPolicy = policy.once && policy.restart !== "never"
    ? "on-failure"
    : policy.restart;
  const noRestart = finished || t.snap.shuttingDown ||
    (code !== null && policy.noRestartExitCodes.includes(code)) ||
    restartPolicy === "never" ||
    (restartPolicy === "on-failure" && clean);
  if (noRestart) {
    const reason: ActionReason = clean
      ? { source: "finished", detail: `job finished (${how})` }
      : { source: "crash", detail: `job ${how}` };
    return t.to({ state: "exited", code, signal }, reason);
  }
  if (uptimeMs >= policy.minUptimeMs) {
    t.set({ retries: 0 });
    return t.toStarting({ source: "crash", detail: `job ${how}, restarting` });
  }
  const retries = t.snap.retries + 1;
  t.set({ retries });
  if (retries >= policy.maxRetries) {
    return t.toFatal(
      `Job "${t.job}" ${how} ${retries} times in a row within ${policy.minUptimeMs}ms of starting`,
    );
  }
  const delayMs = backoffDelay(policy, retries);
  t.emit({ type: "job.backoff", job: t.job, delayMs, retries });
  t.effect({ type: "setTimer", timer: "backoff", ms: delayMs });
  return t.to({ state: "backoff", delayMs }, {
    source: "crash",
    detail: `job ${how} after ${uptimeMs}ms, retry ${retries} in ${delayMs}ms`,
  });
}
