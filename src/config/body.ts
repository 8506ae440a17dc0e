/**
 * Validates and resolves a config body (`jobs`, `network`, `logging`, `app`,
 * `apps`, `machine`)
 * in one pass: the same readers check a value and produce its resolved form.
 *
 * @module
 */

import { dirname } from "node:path";
import type { Accounts } from "./accounts.ts";
import { type IssueList, joinPath } from "./config_error.ts";
import { type AllKeys, Fields } from "./fields.ts";
import { readJob } from "./job.ts";
import { isPlainObject } from "./modes.ts";
import { checkReferences } from "./references.ts";
import type { ResolvedConfig, ResolvedJob, ResolvedOutput } from "./resolved.ts";
import { readApps, readLogging, readNetwork } from "./sections.ts";
import type { SectionReaders } from "./section_readers.ts";
import type { ConfigBody, UserConfig } from "./types.ts";

/** Keys of a config body (what a mode section may hold). */
export const BODY_KEYS = [
  "jobs",
  "network",
  "logging",
  "app",
  "apps",
  "machine",
  "analytics",
  "listeners",
  "mail",
] as const satisfies readonly (keyof ConfigBody)[];

const _everyKey: AllKeys<UserConfig, typeof BODY_KEYS[number] | "modes"> = true;

/** What reading a body needs. `partial`: a mode section (no required fields, no cross-checks). */
export interface BodyContext {
  /** Absolute path of the config file. */
  source: string;
  accounts: Accounts;
  partial: boolean;
  /** Path prefix for issues ("" for the config itself, `modes.dev` for a section). */
  prefix: string;
  /** The readers of the optional sections (`sectionReaders`). */
  readers: SectionReaders;
}

/** Validates `body`, recording issues; returns the resolved config (meaningful only without issues). */
export function readBody(
  body: Record<string, unknown>,
  issues: IssueList,
  ctx: BodyContext,
): Omit<ResolvedConfig, "source" | "modes"> {
  const at = (key: string) => joinPath(ctx.prefix, key);
  const dir = dirname(ctx.source);
  const top = new Fields(body, ctx.prefix, issues);
  if (ctx.partial && body.modes !== undefined) {
    top.fail("modes", 'a mode section cannot hold modes (write them side by side, e.g. "dev.foo")');
  }
  top.keys([...BODY_KEYS, "modes"], "section");
  const jobs: ResolvedJob[] = [];
  const rawJobs = body.jobs;
  if (rawJobs === undefined || (isPlainObject(rawJobs) && Object.keys(rawJobs).length === 0)) {
    if (!ctx.partial) {
      issues.add(
        at("jobs"),
        'no jobs (add at least one, e.g. jobs: { web: { cmd: "node server.js" } })',
      );
    }
  } else if (Fields.of(rawJobs, at("jobs"), issues, "an object of jobs keyed by name")) {
    for (const [name, value] of Object.entries(rawJobs as Record<string, unknown>)) {
      const job = readJob(name, value, joinPath(at("jobs"), name), {
        issues,
        dir,
        accounts: ctx.accounts,
        partial: ctx.partial,
        readers: ctx.readers,
      });
      if (job) jobs.push(job);
    }
  }
  if (!ctx.partial) checkReferences(jobs, issues);
  const app = body.app === undefined
    ? {}
    : Fields.of(body.app, at("app"), issues, "an object of settings")?.obj ?? {};
  const read = ctx.readers;
  const logging = readLogging(body.logging, issues, dir, at("logging"), read);
  const mail = read.readMail(body.mail, issues, dir, at("mail"), ctx.partial);
  if (!ctx.partial) read.checkMailUse(mail, logging.mail, body.listeners, issues, ctx.prefix);
  return {
    jobs: jobs.map((job) => withFileMode(job, logging.fileMode)),
    network: {
      ...readNetwork(body.network, issues, at("network"), read),
      ...read.readControlNetwork(body.network, issues, at("network"), dir, ctx.accounts), // issue 10
    },
    logging,
    app,
    apps: readApps(body.apps, issues, at("apps")),
    machine: read.readMachine(body.machine, issues, at("machine")),
    analytics: read.readAnalytics(body.analytics, issues, at("analytics")),
    listeners: read.readListeners(body.listeners, issues, {
      path: at("listeners"),
      jobs: ctx.partial ? [] : jobs,
      dir,
      partial: ctx.partial,
    }),
    mail,
  };
}

/** The job with `logging.fileMode` on its output files. */
function withFileMode(job: ResolvedJob, mode: number): ResolvedJob {
  const stamp = (o: ResolvedOutput): ResolvedOutput => o.kind === "file" ? { ...o, mode } : o;
  return { ...job, stdout: stamp(job.stdout), stderr: stamp(job.stderr) };
}
