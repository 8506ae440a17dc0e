/**
 * Validates and resolves the `mail` section and `logging.mail` /
 * `logging.screenshots`, each problem with its path.
 *
 * @module
 */

import { resolve } from "node:path";
import { joinPath } from "./config_error.ts";
import { type AllKeys, describe, Fields } from "./fields.ts";
import { readCommand } from "./job_fields.ts";
import type {
  EnvSecret,
  LogMailConfig,
  MailConfig,
  ScreenshotsConfig,
  SmtpConfig,
} from "./mail_types.ts";
import type {
  ResolvedLogMail,
  ResolvedMail,
  ResolvedMailTransport,
  ResolvedScreenshots,
  ResolvedSecret,
} from "./mail_resolved.ts";
import type { IssueList } from "./config_error.ts";
import type { LogLevel } from "./types.ts";

const MAIL_KEYS = [
  "smtp",
  "sendmail",
  "from",
  "to",
  "subjectPrefix",
  "maxQueue",
  "backoff",
  "giveUpAfter",
] as const;
const SMTP_KEYS = ["host", "port", "secure", "starttls", "user", "pass", "ca", "timeout"] as const;
const LOG_MAIL_KEYS = ["level", "to", "interval", "subject"] as const;
const SCREENSHOT_KEYS = ["command", "file", "maxFiles", "timeout"] as const;
const _mail: AllKeys<MailConfig, typeof MAIL_KEYS[number]> = true;
const _smtp: AllKeys<SmtpConfig, typeof SMTP_KEYS[number]> = true;
const _logMail: AllKeys<LogMailConfig, typeof LOG_MAIL_KEYS[number]> = true;
const _shots: AllKeys<ScreenshotsConfig, typeof SCREENSHOT_KEYS[number]> = true;
const _secret: AllKeys<EnvSecret, "env"> = true;

/** The default `mail.from`. */
export const DEFAULT_FROM = "sup@{hostname}";
/** The default `mail.subjectPrefix`. */
export const DEFAULT_SUBJECT_PREFIX = "[sup {hostname}] ";

/** A mail address, loosely: something@something, no spaces or angle brackets outside a display name. */
const ADDRESS = /^(?:[^<>@\s][^<>@]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/;

/**
 * Recipients: one address or an array of them (`"Ops <ops@example.com>"`
 * allowed). Returns null when unset.
 */
export function readAddresses(f: Fields, key: string): string[] | null {
  const value = f.obj[key];
  if (value === undefined) return null;
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    f.fail(key, `must be a mail address or a non-empty array of them, got ${describe(value)}`);
    return null;
  }
  const out: string[] = [];
  list.forEach((item, i) => {
    const at = typeof value === "string" ? f.at(key) : joinPath(f.at(key), i);
    if (typeof item === "string" && ADDRESS.test(item.trim())) out.push(item.trim());
    else {f.issues.add(
        at,
        `${describe(item)} is not a mail address (expected e.g. "ops@example.com")`,
      );}
  });
  return out;
}

/** A single address (`from`), or `fallback`. */
export function readAddress(f: Fields, key: string, fallback: string): string {
  const value = f.string(key, null);
  if (value === null) return fallback;
  if (ADDRESS.test(value.trim()) || value.includes("{hostname}")) return value.trim();
  f.fail(key, `${describe(value)} is not a mail address (expected e.g. "sup@example.com")`);
  return fallback;
}

/** `mail`: null when the config has none. */
export function readMail(
  value: unknown,
  issues: IssueList,
  dir: string,
  path = "mail",
  partial = false,
): ResolvedMail | null {
  if (value === undefined) return null;
  const f = Fields.of(value, path, issues);
  if (!f) return null;
  f.keys(MAIL_KEYS);
  const transport = readTransport(f, dir, partial);
  const to = readAddresses(f, "to");
  if (to === null && !f.has("to") && !partial) {
    f.fail("to", 'is required: who gets notifications (e.g. to: "ops@example.com")');
  }
  const backoff = f.object("backoff");
  backoff?.keys(["initial", "max"]);
  const initial = backoff?.duration("initial", 5_000, true) ?? 5_000;
  const max = backoff?.duration("max", 300_000, true) ?? 300_000;
  if (max < initial) backoff?.fail("max", "must be at least `initial`");
  return {
    transport: transport ?? { kind: "sendmail", argv: ["/usr/sbin/sendmail", "-t", "-i"] },
    from: readAddress(f, "from", DEFAULT_FROM),
    to: to ?? [],
    subjectPrefix: f.string("subjectPrefix", DEFAULT_SUBJECT_PREFIX, false),
    maxQueue: f.whole("maxQueue", 100, 1, 100_000),
    backoffInitialMs: initial,
    backoffMaxMs: Math.max(initial, max),
    giveUpAfterMs: f.duration("giveUpAfter", 86_400_000, true),
  };
}

function readTransport(f: Fields, dir: string, partial: boolean): ResolvedMailTransport | null {
  const hasSmtp = f.has("smtp");
  const hasSendmail = f.has("sendmail");
  if (hasSmtp && hasSendmail) {
    f.fail("sendmail", "cannot be set together with `smtp` (choose one way to send mail)");
    return null;
  }
  if (hasSendmail) {
    const argv = readCommand(f, "sendmail", false);
    return argv ? { kind: "sendmail", argv } : null;
  }
  if (!hasSmtp) {
    if (!partial) {
      f.issues.add(
        f.path,
        'needs `smtp` or `sendmail` (e.g. smtp: { host: "smtp.example.com" } or sendmail: "/usr/sbin/sendmail -t -i")',
      );
    }
    return null;
  }
  const s = f.object("smtp");
  if (!s) return null;
  s.keys(SMTP_KEYS);
  const host = s.string("host", null);
  if (host === null && !s.has("host") && !partial) {
    s.fail("host", 'is required (e.g. "smtp.example.com")');
  }
  const secure = s.bool("secure", false);
  const starttls = s.obj.starttls === undefined
    ? "offered"
    : s.bool("starttls", false)
    ? "required"
    : "never";
  if (secure && s.obj.starttls === true) {
    s.fail("starttls", "does not apply with `secure: true` (TLS from the first byte)");
  }
  const user = s.string("user", null);
  const pass = readSecret(s, "pass");
  if (pass !== null && user === null && !partial) {
    s.fail("pass", "needs `user` (the account to log in with)");
  }
  const ca = s.string("ca", null);
  return {
    kind: "smtp",
    host: host ?? "localhost",
    port: s.whole("port", secure ? 465 : 587, 1, 65535),
    secure,
    starttls,
    user,
    pass,
    ca: ca === null ? null : resolve(dir, ca),
    timeoutMs: s.duration("timeout", 30_000, true),
  };
}

/** A password: a string, or `{ env: "NAME" }`. */
function readSecret(f: Fields, key: string): ResolvedSecret | null {
  const value = f.obj[key];
  if (value === undefined) return null;
  if (typeof value === "string") return { value };
  const e = f.object(key, 'a string or { env: "VARIABLE" }');
  if (!e) return null;
  e.keys(["env"]);
  const name = e.string("env", null);
  if (name !== null && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { env: name };
  e.fail("env", `must name an environment variable (e.g. "SMTP_PASS"), got ${describe(e.obj.env)}`);
  return null;
}

const LEVELS: readonly LogLevel[] = ["debug", "info", "warning", "error"];

/** `logging.mail`: null when unset. */
export function readLogMail(parent: Fields): ResolvedLogMail | null {
  const f = parent.object("mail");
  if (!f) return null;
  f.keys(LOG_MAIL_KEYS);
  return {
    level: f.oneOf("level", LEVELS, "error", "a log level"),
    to: readAddresses(f, "to"),
    intervalMs: f.duration("interval", 60_000),
    subject: f.string("subject", "{count} log lines at {level} or above"),
  };
}

/** `logging.screenshots`: null when unset. */
export function readScreenshots(parent: Fields, dir: string): ResolvedScreenshots | null {
  const f = parent.object("screenshots");
  if (!f) return null;
  f.keys(SCREENSHOT_KEYS);
  const command = readCommand(f, "command", false);
  if (command === null && !f.has("command")) {
    f.fail("command", 'is required (e.g. "import -window root {file}")');
  }
  const file = f.string("file", "logs/capture-{date}.png");
  return {
    command: command ?? [],
    file: resolve(dir, file),
    maxFiles: f.whole("maxFiles", 20, 1, 10_000),
    timeoutMs: f.duration("timeout", 10_000, true),
  };
}

const MAIL_KINDS = ["crashmail", "crashmailbatch", "fatalmailbatch", "crashsms"];

/**
 * Cross-checks: `logging.mail` and the mail listeners (found in the raw
 * `listeners` array by their `kind`) need a `mail` section to send with.
 */
export function checkMailUse(
  mail: ResolvedMail | null,
  logMail: ResolvedLogMail | null,
  listeners: unknown,
  issues: IssueList,
  prefix: string,
): void {
  if (mail) return;
  const why = "the `mail` section (how to send: smtp or sendmail, and to whom)";
  if (logMail) issues.add(joinPath(joinPath(prefix, "logging"), "mail"), `needs ${why}`);
  if (!Array.isArray(listeners)) return;
  listeners.forEach((entry, i) => {
    const kind = (entry as { kind?: unknown } | null)?.kind;
    if (typeof kind === "string" && MAIL_KINDS.includes(kind)) {
      issues.add(joinPath(joinPath(prefix, "listeners"), i), `${kind} sends mail: it needs ${why}`);
    }
  });
}
