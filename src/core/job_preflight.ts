/**
 * What `sup check` can tell about a job's files before `sup run` tries them:
 * its `dir` exists, its `cmd` is found and executable (for the job's user).
 * Pure apart from the `stat` its `CommandLookups` is given; the rules are
 * those `process_spawner.ts` applies at spawn time (`command_lookup.ts`).
 *
 * Errors, or warnings where the file may appear later:
 * - a missing `dir`, or a missing command given as a relative path (e.g.
 *   "./build/app"), is a warning when a `wait` or `once` job is listed before
 *   the job (a setup step may create it), an error otherwise;
 * - anything about a disabled job is a warning (it starts only by hand);
 * - a command not on PATH, not executable, a directory, or out of reach of
 *   the job's user is an error.
 *
 * `sideCommand` and `postLaunchCommand` are not checked (they often name
 * tools installed with the job itself).
 *
 * @module
 */

import { type ConfigIssue, joinPath } from "../config/config_error.ts";
import type { ResolvedConfig, ResolvedJob } from "../config/resolved.ts";
import type { CommandLookups, LookupFailure } from "./command_lookup.ts";
import { spawnFailureText } from "./spawn_failure.ts";

/** What the checks found: errors (`sup check` fails) and warnings (it passes, saying why). */
export interface PreflightReport {
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/** Checks every job's `dir` and `cmd`; `path` is sup's PATH (for jobs that do not set one). */
export function preflightJobs(
  config: ResolvedConfig,
  lookups: CommandLookups,
  path: string | undefined,
): PreflightReport {
  const report: PreflightReport = { errors: [], warnings: [] };
  let setup: string | null = null; // the last wait/once job seen: it may create files
  for (const job of config.jobs) {
    const found = lookup(job, lookups, path);
    if (found !== null) {
      const { key, failure, message } = found;
      const later = failure.reason === "dirMissing" ||
        (failure.reason === "notFound" && !failure.command.startsWith("/") &&
          failure.command.includes("/"));
      const issue = { path: joinPath(joinPath("jobs", job.name), key), message };
      if (job.disabled) {
        report.warnings.push({ ...issue, message: `${issue.message} (the job is disabled)` });
      } else if (later && setup !== null) {
        const message =
          `${issue.message} yet ("${setup}", a wait/once job before it, may create it)`;
        report.warnings.push({ ...issue, message });
      } else {
        report.errors.push(issue);
      }
    }
    if (job.wait || job.once) setup = job.name;
  }
  return report;
}

/** The first problem with a job's `dir` or `cmd`, or null. */
function lookup(
  job: ResolvedJob,
  lookups: CommandLookups,
  path: string | undefined,
): { key: "dir" | "cmd"; failure: LookupFailure; message: string } | null {
  const result = (key: "dir" | "cmd", failure: LookupFailure, message?: string) => ({
    key,
    failure,
    message: message ?? spawnFailureText(failure),
  });
  if (!lookups.isDir(job.dir)) return result("dir", { reason: "dirMissing", dir: job.dir });
  const command = job.argv[0];
  const jobPath = job.clearEnv ? job.env.PATH : job.env.PATH ?? path;
  const found = lookups.resolve(command, job.dir, jobPath);
  if (found.reason === "notFound" && !command.includes("/")) {
    const where = jobPath ?? "/usr/local/bin:/usr/bin:/bin";
    return result("cmd", found, `command "${command}" was not found on PATH "${where}"`);
  }
  if (found.reason !== "found") return result(found.reason === "dirMissing" ? "dir" : "cmd", found);
  if (job.uid === null) return null;
  const denied = lookups.checkAccess(job.dir, found.path, { uid: job.uid, gid: job.gid });
  if (denied === null) return null;
  return result(denied.reason === "dirDenied" ? "dir" : "cmd", denied);
}
