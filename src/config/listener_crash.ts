/**
 * Validates and resolves the mail listeners (crashmail, crashmailbatch,
 * fatalmailbatch, crashsms): their options, their job selectors against the
 * config's jobs, and that the config has a `mail` section to send with.
 *
 * @module
 */

import type { AllKeys, Fields } from "./fields.ts";
import type {
  CrashmailOptions,
  CrashSmsOptions,
  MailBatchOptions,
  MailListenerKind,
  ResolvedMailListener,
} from "./listener_crash_types.ts";
import { readAddress, readAddresses } from "./mail_section.ts";
import type { ResolvedMail } from "./mail_resolved.ts";
import type { ResolvedJob } from "./resolved.ts";
import { checkSelectors, selectorProblem } from "./selector.ts";

const COMMON = ["kind", "jobs", "to", "from", "name"] as const;
const CRASHMAIL_KEYS = [...COMMON, "subjectPrefix"] as const;
const BATCH_KEYS = [...COMMON, "interval", "subject"] as const;
const _crashmail: AllKeys<CrashmailOptions, typeof CRASHMAIL_KEYS[number]> = true;
const _batch: AllKeys<MailBatchOptions, typeof BATCH_KEYS[number]> = true;
const _sms: AllKeys<CrashSmsOptions, typeof BATCH_KEYS[number]> = true;

/** The kinds this module reads. */
export const MAIL_LISTENER_KINDS: readonly MailListenerKind[] = [
  "crashmail",
  "crashmailbatch",
  "fatalmailbatch",
  "crashsms",
];

/** Default subjects of the batching kinds. */
export const DEFAULT_SUBJECTS: Record<MailListenerKind, string> = {
  crashmail: "",
  crashmailbatch: "{count} crashes",
  fatalmailbatch: "{count} jobs fatal",
  crashsms: "crash",
};

/** What reading a mail listener needs from the rest of the config. */
export interface MailListenerContext {
  /** The config's jobs, for the selectors; null in a mode section (not checked). */
  jobs: readonly ResolvedJob[] | null;
  /** The `mail` section (the listener needs one); undefined in a mode section (not checked). */
  mail?: ResolvedMail | null;
}

/** Reads one mail listener descriptor (`f` holds it, `kind` already checked). */
export function readMailListener(
  kind: MailListenerKind,
  f: Fields,
  ctx: MailListenerContext,
): ResolvedMailListener {
  f.keys(kind === "crashmail" ? CRASHMAIL_KEYS : BATCH_KEYS, "option");
  const jobs = readSelectors(f);
  if (ctx.jobs && typeof f.obj.jobs === "string") {
    const problem = selectorProblem(f.obj.jobs, ctx.jobs);
    if (problem) f.fail("jobs", problem);
  } else if (ctx.jobs) checkSelectors(jobs, f.at("jobs"), ctx.jobs, f.issues);
  if (ctx.mail === null) {
    f.issues.add(
      f.path,
      `${kind} sends mail: add a \`mail\` section (smtp or sendmail, and to whom)`,
    );
  }
  const to = readAddresses(f, "to");
  if (kind === "crashsms" && to === null && !f.has("to")) {
    f.fail("to", 'is required: the SMS gateway\'s address (e.g. "5551234567@txt.example.net")');
  }
  const from = f.has("from") ? readAddress(f, "from", "") || null : null;
  return {
    kind,
    name: f.string("name", kind),
    jobs,
    to,
    from,
    subjectPrefix: kind === "crashmail" ? f.string("subjectPrefix", "", false) : "",
    intervalMs: kind === "crashmail" ? 0 : f.duration("interval", 60_000, true),
    subject: kind === "crashmail" ? "" : f.string("subject", DEFAULT_SUBJECTS[kind], false),
  };
}

/** `jobs`: one selector or an array; "*" when unset. */
function readSelectors(f: Fields): string[] {
  const value = f.obj.jobs;
  if (value === undefined) return ["*"];
  if (typeof value === "string") {
    if (value.trim() !== "") return [value];
    f.fail("jobs", 'must name jobs (a job\'s name, "group:<name>" or "*")');
    return [];
  }
  return f.strings("jobs");
}
