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
import type { ListenerKind, ListenerKindContext } from "./listener_kinds.ts";
import { checkSelectors, selectorProblem } from "./selector.ts";

const COMMON = ["jobs", "to", "from"] as const;
const CRASHMAIL_KEYS = [...COMMON, "subjectPrefix"] as const;
const BATCH_KEYS = [...COMMON, "interval", "subject"] as const;
const _crashmail: AllKeys<CrashmailOptions, typeof CRASHMAIL_KEYS[number] | "name"> = true;
const _batch: AllKeys<MailBatchOptions, typeof BATCH_KEYS[number] | "name"> = true;
const _sms: AllKeys<CrashSmsOptions, typeof BATCH_KEYS[number] | "name"> = true;

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

/**
 * Reads one mail listener descriptor (`f` holds it without `kind` and
 * `name`, which the listeners section reads). That the config has a `mail`
 * section is checked with the whole config (`checkMailUse`).
 */
export function readMailListener(
  kind: MailListenerKind,
  f: Fields,
  ctx: ListenerKindContext,
): ResolvedMailListener {
  f.keys(kind === "crashmail" ? CRASHMAIL_KEYS : BATCH_KEYS, "option");
  const jobs = readSelectors(f);
  if (!ctx.partial && typeof f.obj.jobs === "string") {
    const problem = selectorProblem(f.obj.jobs, ctx.jobs);
    if (problem) f.fail("jobs", problem);
  } else if (!ctx.partial) checkSelectors(jobs, f.at("jobs"), ctx.jobs, f.issues);
  const to = readAddresses(f, "to");
  if (kind === "crashsms" && to === null && !f.has("to") && !ctx.partial) {
    f.fail("to", 'is required: the SMS gateway\'s address (e.g. "5551234567@txt.example.net")');
  }
  const from = f.has("from") ? readAddress(f, "from", "") || null : null;
  return {
    kind,
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

/** The validators of the mail listener kinds, for `LISTENER_KINDS`. */
export const MAIL_LISTENERS: Record<MailListenerKind, ListenerKind<ResolvedMailListener>> = {
  crashmail: { read: (f, ctx) => readMailListener("crashmail", f, ctx) },
  crashmailbatch: { read: (f, ctx) => readMailListener("crashmailbatch", f, ctx) },
  fatalmailbatch: { read: (f, ctx) => readMailListener("fatalmailbatch", f, ctx) },
  crashsms: { read: (f, ctx) => readMailListener("crashsms", f, ctx) },
};
