/**
 * Job selectors: how a list of jobs is named wherever one is accepted
 * (listeners, memmon limits, the CLI, the panel). A selector is a job's
 * name, `"group:<name>"` (every job whose `groups` lists it) or `"*"` (every
 * job).
 *
 * @module
 */

import { type IssueList, joinPath } from "./config_error.ts";
import type { ResolvedJob } from "./resolved.ts";
import { didYouMean } from "./suggest.ts";

/** A job's name, `"group:<name>"` or `"*"` (checked by `selectorProblem`). */
export type JobSelector = string;

/** What a selector names, parsed. */
export type ParsedSelector =
  | { kind: "all" }
  | { kind: "group"; group: string }
  | { kind: "job"; job: string };

/** The prefix that makes a selector name a group. */
export const GROUP_PREFIX = "group:";

/** Parses a selector (no validation against a config). */
export function parseSelector(selector: string): ParsedSelector {
  if (selector === "*") return { kind: "all" };
  if (selector.startsWith(GROUP_PREFIX)) {
    return { kind: "group", group: selector.slice(GROUP_PREFIX.length) };
  }
  return { kind: "job", job: selector };
}

/** Every group named by some job, in first-seen order. */
export function groupNames(jobs: readonly Pick<ResolvedJob, "groups">[]): string[] {
  const seen = new Set<string>();
  for (const job of jobs) for (const group of job.groups) seen.add(group);
  return [...seen];
}

/** True when `selector` names `job`. */
export function selects(selector: string, job: Pick<ResolvedJob, "name" | "groups">): boolean {
  const parsed = parseSelector(selector);
  switch (parsed.kind) {
    case "all":
      return true;
    case "group":
      return job.groups.includes(parsed.group);
    case "job":
      return job.name === parsed.job;
  }
}

/** The names of the jobs any of `selectors` names, in config order, each once. */
export function selectJobs(
  selectors: readonly string[],
  jobs: readonly Pick<ResolvedJob, "name" | "groups">[],
): string[] {
  return jobs.filter((job) => selectors.some((s) => selects(s, job))).map((job) => job.name);
}

/**
 * Why `selector` names nothing in `jobs`, with a did-you-mean, or null when
 * it is valid. An empty group (`group:x` that no job lists) is an error: it
 * is almost always a typo.
 */
export function selectorProblem(
  selector: string,
  jobs: readonly Pick<ResolvedJob, "name" | "groups">[],
): string | null {
  const parsed = parseSelector(selector);
  switch (parsed.kind) {
    case "all":
      return null;
    case "group": {
      const groups = groupNames(jobs);
      if (groups.includes(parsed.group)) return null;
      if (parsed.group === "") return 'names no group (write "group:<name>")';
      const known = groups.length === 0
        ? " (no job lists a group: give jobs `groups: [...]`)"
        : didYouMean(parsed.group, groups).replace(/"([^"]+)"/, '"group:$1"');
      return `unknown group ${JSON.stringify(parsed.group)}${known}`;
    }
    case "job": {
      if (jobs.some((job) => job.name === parsed.job)) return null;
      const names = jobs.map((job) => job.name);
      const hint = didYouMean(parsed.job, names) ||
        didYouMean(parsed.job, groupNames(jobs)).replace(/"([^"]+)"/, '"group:$1"');
      return `unknown job ${
        JSON.stringify(parsed.job)
      }${hint} (a selector is a job's name, "group:<name>" or "*")`;
    }
  }
}

/** Records a problem for every selector at `path` (an array of selectors) that names nothing. */
export function checkSelectors(
  selectors: readonly string[],
  path: string,
  jobs: readonly Pick<ResolvedJob, "name" | "groups">[],
  issues: IssueList,
): void {
  selectors.forEach((selector, i) => {
    const problem = selectorProblem(selector, jobs);
    if (problem) issues.add(joinPath(path, i), problem);
  });
}
