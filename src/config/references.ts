/**
 * Checks references between jobs: every `after` names another job, and no
 * jobs wait on each other in a cycle.
 *
 * @module
 */

import { type IssueList, joinPath } from "./config_error.ts";
import type { ResolvedJob } from "./resolved.ts";
import { didYouMean } from "./suggest.ts";

/** Records unknown and self `after` targets and every cycle among `after` (named: `a → b → a`). */
export function checkReferences(jobs: ResolvedJob[], issues: IssueList): void {
  const names = jobs.map((job) => job.name);
  const byName = new Map(jobs.map((job) => [job.name, job]));
  for (const job of jobs) {
    job.after.forEach((target, i) => {
      const path = `${joinPath(joinPath("jobs", job.name), "after")}[${i}]`;
      if (target === job.name) {
        issues.add(
          path,
          `${JSON.stringify(target)} is this job itself (a job cannot wait for itself)`,
        );
      } else if (!byName.has(target)) {
        issues.add(path, `unknown job ${JSON.stringify(target)}${didYouMean(target, names)}`);
      }
    });
  }

  // Depth-first search; a back edge closes a cycle. Each cycle is reported once, at its first job.
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, "visiting");
    stack.push(name);
    for (const next of byName.get(name)?.after ?? []) {
      if (!byName.has(next) || next === name) continue; // reported above
      if (state.get(next) === "visiting") {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        issues.add(
          joinPath(joinPath("jobs", cycle[0]), "after"),
          `jobs wait on each other in a cycle: ${cycle.join(" → ")}`,
        );
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(name, "done");
  };
  for (const name of names) if (!state.has(name)) visit(name);
}
