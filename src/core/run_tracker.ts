/**
 * Runs of jobs. A run is one process of a job, from the moment the job
 * enters `running` (its process has spawned) to the moment it leaves
 * `running`, whatever the way out: asked to stop or restart (`stopping`),
 * or an exit (to `starting`, `backoff`, `exited` or `fatal`). That is the one
 * rule for when a run ends; probes (heartbeat, bounce, memmon, and the
 * coming httpok, health checks and metrics) learn "job X's run N started /
 * became ready / ended" here instead of rebuilding runs from events.
 *
 * The tracker follows the state machine's own events (`job.state`,
 * `job.ready`), fed by the supervisor before the bus delivers them: when a
 * bus listener sees a `job.state` event, the tracker already agrees with it.
 * Readiness is the state machine's (`running.ready` in its snapshot, which
 * turns true in the transition that emits `job.ready`); a run only records
 * when that happened.
 *
 * @module
 */

import type { Unsubscribe } from "./event_bus.ts";
import type { EventOf, SupEvent } from "./events.ts";

/** How a run ended: the `job.state` event of the job leaving `running`. */
export type RunEnd = EventOf<"job.state">;

/** One run of a job (plain data; the tracker updates it as the run goes). */
export interface Run {
  /** The job's name. */
  readonly job: string;
  /** 1 for the job's first run since sup started, then 2, 3... */
  readonly n: number;
  /** The job's process (also its process group id). */
  readonly pid: number;
  /** When the job entered `running` (ms since epoch). */
  readonly startedAt: number;
  /** When the run became ready (first heartbeat, or its spawn without a heartbeat config); null before. */
  readonly readyAt: number | null;
  /** How the run ended; null while it goes on. */
  readonly end: RunEnd | null;
}

/** What a run observer is told; every method is optional. */
export interface RunObserver {
  /** A run started (and, on `subscribe`, each run already going on). */
  started?(run: Run): void;
  /** The run became ready. */
  ready?(run: Run): void;
  /** The run ended (`run.end` says how). */
  ended?(run: Run): void;
}

/** The runs as the rest of sup sees them (`SupervisorApi.runs`). */
export interface Runs {
  /** The run of `job` going on now, or undefined. */
  current(job: string): Run | undefined;
  /** Every run going on now. */
  all(): Run[];
  /**
   * Tells `observer` of every run start, readiness and end from now on, after
   * calling `started` at once for each run already going on (so an observer
   * created late picks up the current runs). Returns the unsubscribe function.
   */
  subscribe(observer: RunObserver): Unsubscribe;
}

interface MutableRun {
  job: string;
  n: number;
  pid: number;
  startedAt: number;
  readyAt: number | null;
  end: RunEnd | null;
}

/** Keeps the current run of every job; `follow()` feeds it the state machine's events. */
export class RunTracker implements Runs {
  #current = new Map<string, MutableRun>();
  /** Runs started per job since sup started. */
  #count = new Map<string, number>();
  #observers = new Set<RunObserver>();
  #onError: (error: unknown) => void;

  /** @param onError receives what an observer threw (default `console.error`); never rethrown */
  constructor(onError?: (error: unknown) => void) {
    this.#onError = onError ?? ((error) => console.error("Run observer threw:", error));
  }

  /** The run of `job` going on now, or undefined. */
  current(job: string): Run | undefined {
    return this.#current.get(job);
  }

  /** Every run going on now. */
  all(): Run[] {
    return [...this.#current.values()];
  }

  /** See `Runs.subscribe`. */
  subscribe(observer: RunObserver): Unsubscribe {
    this.#observers.add(observer);
    for (const run of [...this.#current.values()]) this.#call(observer, "started", run);
    return () => this.#observers.delete(observer);
  }

  /**
   * Takes one event of the state machine: a `job.state` into `running`
   * starts a run, one out of `running` ends it; `job.ready` for the current
   * process marks it ready. Other events are ignored.
   */
  follow(event: SupEvent): void {
    if (event.type === "job.ready") {
      const run = this.#current.get(event.job);
      if (run === undefined || run.pid !== event.pid || run.readyAt !== null) return;
      run.readyAt = event.at;
      this.#tell("ready", run);
      return;
    }
    if (event.type !== "job.state" || event.from === event.to) return;
    if (event.from === "running") {
      const run = this.#current.get(event.job);
      if (run !== undefined) {
        this.#current.delete(event.job);
        run.end = event;
        this.#tell("ended", run);
      }
    }
    if (event.to === "running" && event.pid !== null) {
      const n = (this.#count.get(event.job) ?? 0) + 1;
      this.#count.set(event.job, n);
      const run: MutableRun = {
        job: event.job,
        n,
        pid: event.pid,
        startedAt: event.at,
        readyAt: null,
        end: null,
      };
      this.#current.set(event.job, run);
      this.#tell("started", run);
    }
  }

  #tell(what: keyof RunObserver, run: Run): void {
    for (const observer of this.#observers) this.#call(observer, what, run);
  }

  #call(observer: RunObserver, what: keyof RunObserver, run: Run): void {
    try {
      observer[what]?.(run);
    } catch (error) {
      try {
        this.#onError(error);
      } catch {
        // A broken error reporter must not break the supervisor either.
      }
    }
  }
}
