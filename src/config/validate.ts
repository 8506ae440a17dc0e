/**
 * Validates a whole user config (any value: what a config module exported,
 * or parsed TOML/JSON) and resolves it, reporting every problem at once.
 *
 * Order: the top level and every mode section are checked (sections
 * partially: they may omit required fields), then the selected mode and the
 * machine's sections are applied and the merged result is checked in full.
 * An issue found both in a mode section and in the merged result is
 * reported once, at the mode section's path. The readers of optional
 * sections are imported first, for the sections the config has
 * (`section_readers.ts`): that is why validation is async.
 *
 * @module
 */

import type { Accounts } from "./accounts.ts";
import { systemAccounts } from "./accounts.ts";
import { type ConfigIssue, IssueList, joinPath } from "./config_error.ts";
import { readBody } from "./body.ts";
import { describe } from "./fields.ts";
import { MISSING_CMD } from "./job.ts";
import { checkJsonData } from "./json_data.ts";
import { applyModes, isPlainObject } from "./modes.ts";
import type { ResolvedConfig } from "./resolved.ts";
import { sectionReaders } from "./section_readers.ts";
import { didYouMean } from "./suggest.ts";

/** What validation needs besides the config. */
export interface ValidateOptions {
  /** Absolute path of the config file (relative paths resolve against its directory). */
  source: string;
  /** The mode to apply (e.g. "dev.foo"); none by default. */
  mode?: string;
  /** The machine's hostname, for `@<hostname>` sections. @default Deno.hostname() */
  hostname?: string;
  /** User and group tables. @default /etc/passwd and /etc/group */
  accounts?: Accounts;
}

/** The resolved config, or every problem found. */
export type ValidationResult =
  | { ok: true; config: ResolvedConfig }
  | { ok: false; issues: ConfigIssue[] };

/**
 * Checks `input` against the config schema and resolves it. Rejects only
 * when reading `input` throws (a getter or proxy of the user's config).
 */
export async function validateConfig(
  input: unknown,
  options: ValidateOptions,
): Promise<ValidationResult> {
  if (!isPlainObject(input)) {
    return {
      ok: false,
      issues: [{
        path: "",
        message:
          `The config must be an object (export default defineConfig({ jobs: {...} })), got ${
            describe(input)
          }`,
      }],
    };
  }
  const accounts = options.accounts ?? systemAccounts();
  const readers = await sectionReaders(input);
  const issues = new IssueList();
  const seenInModes = new Set<string>();

  const modes = input.modes;
  if (modes !== undefined && !isPlainObject(modes)) {
    issues.add("modes", `must be an object of mode sections, got ${describe(modes)}`);
  } else if (modes) {
    for (const [name, section] of Object.entries(modes)) {
      const prefix = joinPath("modes", name);
      if (!isPlainObject(section)) {
        issues.add(prefix, `must be an object (a config section), got ${describe(section)}`);
        continue;
      }
      const local = new IssueList();
      readBody(section, local, {
        source: options.source,
        accounts,
        partial: true,
        prefix: "",
        readers,
      });
      for (const issue of local.items) {
        seenInModes.add(`${issue.path}\0${issue.message}`);
        issues.add(issue.path === "" ? prefix : `${prefix}.${issue.path}`, issue.message);
      }
    }
  }

  if (isPlainObject(modes)) checkModeJobs(input.jobs, modes, issues, seenInModes);

  const applied = applyModes(input, options.mode, options.hostname ?? Deno.hostname());
  if (!applied.ok) {
    issues.add("", applied.error);
    return { ok: false, issues: issues.items };
  }
  const merged = new IssueList();
  const body = readBody(applied.body, merged, {
    source: options.source,
    accounts,
    partial: false,
    prefix: "",
    readers,
  });
  checkJsonData(body.app, "app", merged);
  const fresh = merged.items.filter((i) => !seenInModes.has(`${i.path}\0${i.message}`));
  const all = [...fresh, ...issues.items];
  if (all.length > 0) return { ok: false, issues: all };
  return { ok: true, config: { source: options.source, modes: applied.applied, ...body } };
}

/**
 * A mode section may add a job, but one that names a job found nowhere else
 * and gives it no `cmd` is almost surely a misspelt job name: report it at
 * the section (whichever mode is selected), instead of only as a missing
 * `cmd` when that mode is used.
 */
function checkModeJobs(
  baseJobs: unknown,
  modes: Record<string, unknown>,
  issues: IssueList,
  seen: Set<string>,
): void {
  const jobsOf = (body: unknown): Record<string, unknown> =>
    isPlainObject(body) && isPlainObject(body.jobs) ? body.jobs : {};
  const known = Object.keys(isPlainObject(baseJobs) ? baseJobs : {});
  const added = new Set<string>();
  for (const section of Object.values(modes)) {
    for (const [name, job] of Object.entries(jobsOf(section))) {
      if (isPlainObject(job) && job.cmd !== undefined) added.add(name);
    }
  }
  for (const [mode, section] of Object.entries(modes)) {
    for (const [name, job] of Object.entries(jobsOf(section))) {
      if (known.includes(name) || added.has(name) || !isPlainObject(job)) continue;
      issues.add(
        joinPath(joinPath(joinPath("modes", mode), "jobs"), name),
        `${JSON.stringify(name)} is not a job of the config, and this section gives it no "cmd"${
          didYouMean(name, known)
        }`,
      );
      seen.add(`${joinPath("jobs", name)}\0${MISSING_CMD}`);
    }
  }
}
