/**
 * The builder one state-machine transition uses to accumulate its next
 * snapshot and its effects, and to announce every state change as a
 * `job.state` event carrying the job, pid, exit code or signal, uptime,
 * reason and timestamp.
 *
 * @module
 */

import type { ActionReason, JobState, SupEvent } from "./events.ts";
import type { JobEffect, JobPhase, JobSnapshot, Transition } from "./job_state.ts";

/** The pid of the job's live process, if any. */
export function phasePid(phase: JobPhase): number | null {
  return phase.state === "running" || phase.state === "stopping" ? phase.pid : null;
}

/** How the process whose end drives the current transition ended. */
export interface EndedRun {
  code: number | null;
  signal: string | null;
  uptimeMs: number;
}

/** Accumulates the next snapshot and effects of one transition. */
export class Builder {
  effects: JobEffect[] = [];
  /** Set while handling a process's exit: reported on the `job.state` events that follow. */
  ended: EndedRun | null = null;
  constructor(public snap: JobSnapshot, readonly now: number) {}

  /** The job's name. */
  get job(): string {
    return this.snap.job;
  }

  /** The reason of the last action (what a transition caused by an exit reports). */
  reason(): ActionReason {
    return this.snap.lastReason ?? { source: "config" };
  }

  /** Patches the next snapshot. */
  set(patch: Partial<JobSnapshot>): this {
    this.snap = { ...this.snap, ...patch };
    return this;
  }

  /** Adds an effect. */
  effect(effect: JobEffect): void {
    this.effects.push(effect);
  }

  /** Adds an event, stamped with the transition's time. */
  emit(event: DistributiveOmit<SupEvent, "at">): void {
    this.effects.push({ type: "emit", event: { ...event, at: this.now } as SupEvent });
  }

  /** Moves to `phase`, emitting `job.state` when the state changes. */
  to(phase: JobPhase, reason: ActionReason): Transition {
    const old = this.snap.phase;
    const from: JobState = old.state;
    this.set({ phase, lastReason: reason });
    if (from !== phase.state) {
      const pid = phasePid(phase);
      const live = old.state === "running" || old.state === "stopping";
      const uptimeMs = this.ended?.uptimeMs ?? (live ? this.now - old.startedAt : null);
      this.emit({
        type: "job.state",
        job: this.job,
        from,
        to: phase.state,
        pid,
        reason,
        code: this.ended?.code ?? null,
        signal: this.ended?.signal ?? null,
        uptimeMs,
      });
    }
    return this.done();
  }

  /** Moves to `starting` and asks for a spawn (counting it). */
  toStarting(reason: ActionReason): Transition {
    this.set({
      spawns: this.snap.spawns + 1,
      restarts: this.snap.spawns > 0 ? this.snap.restarts + 1 : this.snap.restarts,
    });
    this.to({ state: "starting" }, reason);
    this.effect({ type: "spawn" });
    return this.done();
  }

  /** Moves to `stopping`: killSignal to the group, kill timer armed. */
  toStopping(
    pid: number,
    startedAt: number,
    then: "stop" | "restart",
    reason: ActionReason,
  ): Transition {
    this.effect({ type: "clearTimer", timer: "uptime" });
    this.effect({ type: "signalGroup", pid, signal: this.snap.policy.killSignal });
    this.effect({ type: "setTimer", timer: "kill", ms: this.snap.policy.killTimeoutMs });
    return this.to({ state: "stopping", pid, startedAt, then, killed: false }, reason);
  }

  /** Moves to `fatal` (`job.fatal`), arming the slow retry when configured. */
  toFatal(message: string): Transition {
    this.emit({ type: "job.fatal", job: this.job, message });
    const retryMs = this.snap.policy.retryFatalAfterMs;
    if (retryMs !== null) this.effect({ type: "setTimer", timer: "fatalRetry", ms: retryMs });
    return this.to({ state: "fatal", message }, { source: "crash", detail: message });
  }

  /** The transition so far. */
  done(): Transition {
    return { snapshot: this.snap, effects: this.effects };
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
