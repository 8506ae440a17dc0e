/**
 * Validates and resolves an `httpok` listener's options (the descriptor
 * without `kind` and `name`).
 *
 * @module
 */

import { resolve } from "node:path";
import { type AllKeys, describe, type Fields } from "./fields.ts";
import { readHeaders, readHttpUrl, readStatuses } from "./health_section.ts";
import { readCommand } from "./job_fields.ts";
import type { HttpokOptions } from "./listener_httpok_types.ts";
import type { ListenerKindContext } from "./listener_kinds.ts";
import { checkSelectors } from "./selector.ts";

/** An `httpok` listener's options, resolved. */
export interface ResolvedHttpok {
  url: string;
  /** Job selectors (`["*"]` for `any`). */
  jobs: string[];
  timeoutMs: number;
  /** Status codes that pass. */
  status: number[];
  /** Text the body must contain; null: not read. */
  body: string | null;
  headers: Record<string, string>;
  eager: boolean;
  /** Absolute folder for core dumps; null: none. */
  coreDir: string | null;
  /** gcore's argv before the prefix and pid. */
  gcore: string[];
  notify: boolean;
  intervalMs: number;
}

/** Keys of the options besides `kind` and `name`. */
export const HTTPOK_KEYS = [
  "url",
  "jobs",
  "any",
  "timeout",
  "status",
  "body",
  "headers",
  "eager",
  "coreDir",
  "gcore",
  "notify",
  "interval",
] as const;
const _keys: AllKeys<HttpokOptions, typeof HTTPOK_KEYS[number] | "name"> = true;

/** Reads an `httpok` descriptor's options, recording every problem on `f`. */
export function readHttpok(f: Fields, ctx: ListenerKindContext): ResolvedHttpok {
  f.keys([...HTTPOK_KEYS, "kind", "name"], "option");
  const any = f.bool("any", false);
  const jobs = readSelectors(f, "jobs");
  if (!ctx.partial) {
    if (!any && jobs.length === 0) {
      f.issues.add(
        f.path,
        'names no jobs to restart: give jobs: ["web"] (or "group:x", "*") or any: true',
      );
    }
    checkSelectors(jobs, f.at("jobs"), ctx.jobs, f.issues);
  }
  const coreDir = f.string("coreDir", null);
  return {
    url: f.has("url") || !ctx.partial ? readHttpUrl(f, "url") ?? "" : "",
    jobs: any ? ["*"] : jobs,
    timeoutMs: f.duration("timeout", 10_000, true),
    status: readStatuses(f, "status") ?? [200],
    body: f.string("body", null),
    headers: readHeaders(f, "headers"),
    eager: f.bool("eager", true),
    coreDir: coreDir === null ? null : resolve(ctx.dir, coreDir),
    gcore: readCommand(f, "gcore", false) ?? ["gcore", "-o"],
    notify: f.bool("notify", true),
    intervalMs: f.duration("interval", 60_000, true),
  };
}

/** Selectors at `key`: one string or an array of them. Shared with memmon. */
export function readSelectors(f: Fields, key: string): string[] {
  const value = f.obj[key];
  if (value === undefined) return [];
  if (typeof value === "string" && value.trim() !== "") return [value];
  if (Array.isArray(value)) return f.strings(key);
  f.fail(
    key,
    `must be a job selector or an array of them ("web", "group:x", "*"), got ${describe(value)}`,
  );
  return [];
}
