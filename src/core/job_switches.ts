/**
 * Jobs an operator switched off (`sup disable web`, pmtr's UDP `disable`):
 * kept stopped, whoever asks to start them (a schedule, `after`, a reload,
 * `sup start`), until they are switched on again (`sup enable web`) or their
 * config changes. A persisted switch is kept in the runtime state file
 * (section "disabled") with a fingerprint of the job's config, so it
 * outlives restarts of sup and is lifted by the first config that differs.
 *
 * The supervisor consults it (`isOff`) and reconciles it with every config
 * it applies; the decisions are here.
 *
 * @module
 */

import type { ResolvedJob } from "../config/resolved.ts";
import type { ActionReason, SupEvent } from "./events.ts";

/** The runtime state file's section for persisted switches. */
export const SWITCHES_SECTION = "disabled";

/** A job switched off. */
export interface JobSwitch {
  /** Who switched it off, e.g. "sup disable" or "udp 127.0.0.1:40000". */
  by: string;
  /** When (ms since the epoch). */
  at: number;
  /** Kept across restarts of sup (until `enable` or a config change). */
  persist: boolean;
  /** Fingerprint of the job's config when it was switched off. */
  config: string;
}

/** How a job is switched. */
export interface SwitchOptions {
  /** Who asks, e.g. "sup disable". */
  by: string;
  /** Keep it in the runtime state file across restarts of sup. @default true */
  persist?: boolean;
}

/** A switch lifted because the job's config changed or the job was removed. */
export interface LiftedSwitch {
  job: string;
  switched: JobSwitch;
  why: "changed" | "removed";
}

/** Where persisted switches are kept (the runtime state file). */
export interface SwitchStore {
  section(name: string): unknown;
  setSection(name: string, value: unknown): void;
}

/** The jobs switched off, by name. */
export class JobSwitches {
  #off = new Map<string, JobSwitch>();
  #store: SwitchStore | null;

  /** Loads the switches a previous sup persisted in `store` (checked by the first `reconcile`). */
  constructor(store: SwitchStore | null) {
    this.#store = store;
    const saved = store?.section(SWITCHES_SECTION);
    if (saved === null || typeof saved !== "object") return;
    for (const [job, value] of Object.entries(saved as Record<string, unknown>)) {
      const s = value as Partial<JobSwitch> | null;
      if (typeof s?.by === "string" && typeof s.at === "number" && typeof s.config === "string") {
        this.#off.set(job, { by: s.by, at: s.at, persist: true, config: s.config });
      }
    }
  }

  /** The switch of a job that is off, or null. */
  get(name: string): JobSwitch | null {
    return this.#off.get(name) ?? null;
  }

  /** True when the job is switched off. */
  isOff(name: string): boolean {
    return this.#off.has(name);
  }

  /**
   * Switches `job` off (`off` true) or on; false when it already was. A
   * switch-off replaces an earlier one (its `by` and `persist` win).
   */
  set(job: ResolvedJob, off: boolean, options: SwitchOptions, now = Date.now()): boolean {
    const was = this.#off.get(job.name);
    if (!off) {
      if (!was) return false;
      this.#off.delete(job.name);
      if (was.persist) this.#save();
      return true;
    }
    const persist = options.persist ?? true;
    this.#off.set(job.name, { by: options.by, at: now, persist, config: fingerprint(job) });
    if (persist || was?.persist) this.#save();
    return was === undefined;
  }

  /**
   * Lifts the switches of jobs that are gone from `jobs` or whose config is
   * not the one they were switched off with; returns them.
   */
  reconcile(jobs: readonly ResolvedJob[]): LiftedSwitch[] {
    if (this.#off.size === 0) return [];
    const byName = new Map(jobs.map((job) => [job.name, job]));
    const lifted: LiftedSwitch[] = [];
    for (const [name, switched] of this.#off) {
      const job = byName.get(name);
      if (job && fingerprint(job) === switched.config) continue;
      this.#off.delete(name);
      lifted.push({ job: name, switched, why: job ? "changed" : "removed" });
    }
    if (lifted.some((l) => l.switched.persist)) this.#save();
    return lifted;
  }

  #save(): void {
    const saved: Record<string, Omit<JobSwitch, "persist">> = {};
    for (const [name, s] of this.#off) {
      if (s.persist) saved[name] = { by: s.by, at: s.at, config: s.config };
    }
    this.#store?.setSection(SWITCHES_SECTION, saved);
  }
}

/** What switching a job needs of the supervisor. */
export interface SwitchEffects {
  /** Publishes an event. */
  emit(event: SupEvent): void;
  /** Stops the job; resolves once its process group is gone. */
  stop(reason: ActionReason): Promise<void>;
  /** Starts the job when its config and gates let it run. */
  want(reason: ActionReason): void;
}

/**
 * Switches `job` off or on in `switches` and carries it out: `job.disabled`
 * then a stop, or `job.enabled` then a start (when the config lets the job
 * run). Resolves to false when the job already was so (nothing done).
 */
export async function switchJob(
  switches: JobSwitches,
  job: ResolvedJob,
  enabled: boolean,
  options: SwitchOptions,
  effects: SwitchEffects,
): Promise<boolean> {
  if (!switches.set(job, !enabled, options)) return false;
  const { by, persist = true } = options;
  const at = Date.now();
  const reason: ActionReason = { source: "manual", detail: by };
  if (enabled) {
    effects.emit({ type: "job.enabled", job: job.name, by, at });
    effects.want(reason);
  } else {
    effects.emit({ type: "job.disabled", job: job.name, by, persist, at });
    await effects.stop(reason);
  }
  return true;
}

/** The `job.enabled` event of a switch a config lifted. */
export function liftedEvent(lifted: LiftedSwitch): SupEvent {
  return { type: "job.enabled", job: lifted.job, by: `config: ${lifted.why}`, at: Date.now() };
}

/** A short, stable fingerprint of a job's resolved config (key order does not matter). */
export function fingerprint(job: ResolvedJob): string {
  return cyrb53(canonical(job)).toString(16).padStart(14, "0");
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** A 53-bit string hash (cyrb53, public domain). */
function cyrb53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
