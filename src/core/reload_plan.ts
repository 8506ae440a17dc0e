/**
 * What a config reload changes: jobs added, removed and changed (any
 * option, compared deeply); every other job keeps its process.
 *
 * @module
 */

import type { ResolvedJob } from "../config/resolved.ts";

/** The jobs a reload touches, by name, in config order. */
export interface ReloadPlan {
  added: string[];
  removed: string[];
  changed: string[];
}

/** Compares the running jobs with the new ones. */
export function planReload(before: ResolvedJob[], after: ResolvedJob[]): ReloadPlan {
  const old = new Map(before.map((job) => [job.name, job]));
  const names = new Set(after.map((job) => job.name));
  const plan: ReloadPlan = { added: [], removed: [], changed: [] };
  for (const job of after) {
    const previous = old.get(job.name);
    if (!previous) plan.added.push(job.name);
    else if (!deepEqual(previous, job)) plan.changed.push(job.name);
  }
  for (const job of before) if (!names.has(job.name)) plan.removed.push(job.name);
  return plan;
}

/** Structural equality of plain JSON-like data (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra);
  if (keys.length !== Object.keys(rb).length) return false;
  return keys.every((key) => Object.hasOwn(rb, key) && deepEqual(ra[key], rb[key]));
}
