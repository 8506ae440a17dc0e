/**
 * A job's `health` option after validation (`health_section.ts`): defaults
 * applied, durations in milliseconds. Types only: `resolved.ts` (part of
 * the types users see) imports it.
 *
 * @module
 */

import type { HealthAction } from "./health_types.ts";

/** A job's health check, resolved. */
export type ResolvedHealthCheck =
  | {
    kind: "http";
    url: string;
    /** Status codes that pass; null: any 2xx or 3xx. */
    status: number[] | null;
    /** Text the body must contain; null: not checked. */
    body: string | null;
    headers: Record<string, string>;
  }
  | { kind: "tcp"; host: string; port: number }
  | { kind: "exec"; argv: string[] };

/** A job's `health` option, resolved (durations in ms). */
export interface ResolvedHealth {
  check: ResolvedHealthCheck;
  intervalMs: number;
  timeoutMs: number;
  failures: number;
  startPeriodMs: number;
  action: HealthAction;
}
