/**
 * Runs one health check of a job, whatever its kind: the one entry point
 * the health watchdog calls (tests pass their own).
 *
 * @module
 */

import type { ResolvedHealthCheck } from "../config/health_section.ts";
import type { ResolvedJob } from "../config/resolved.ts";
import { probeExec } from "./health_exec.ts";
import { probeHttp, type ProbeResult } from "./health_http.ts";
import { probeTcp } from "./health_tcp.ts";

export type { ProbeResult } from "./health_http.ts";

/**
 * Runs `check` for `job`; resolves (never rejects) with the result once it
 * is known or `signal` aborted it (its process killed, its connection closed).
 */
export type HealthCheckRunner = (
  check: ResolvedHealthCheck,
  job: ResolvedJob,
  signal: AbortSignal,
) => Promise<ProbeResult>;

/** The real checks: HTTP with `fetch`, TCP with `Deno.connect`, commands as the job's helpers. */
export const runHealthCheck: HealthCheckRunner = (check, job, signal) => {
  switch (check.kind) {
    case "http":
      return probeHttp(check, signal);
    case "tcp":
      return probeTcp(check.host, check.port, signal);
    case "exec":
      return probeExec(job, check.argv, signal);
  }
};
