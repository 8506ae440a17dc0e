/**
 * The options of the mail listeners superlance has (crashmail,
 * crashmailbatch, fatalmailbatch, crashsms), as a user writes them, and
 * their resolved forms. They send through the `mail` section's transport.
 *
 * @module
 */

import type { Duration } from "./types.ts";

/** Options every mail listener has. */
export interface MailListenerOptions {
  /**
   * The jobs to watch: a job name, `"group:<name>"` or `"*"` (superlance's
   * `-p`, `-g` and `-a`), or an array of them.
   * @default "*"
   */
  jobs?: string | string[];
  /** Recipients (superlance's `-m` / `--toEmail`). @default mail.to */
  to?: string | string[];
  /** The sender (superlance's `--fromEmail`). @default mail.from */
  from?: string;
  /** The listener's name in logs and events. @default its kind, e.g. "crashmail" */
  name?: string;
}

/** `crashmail`: one mail per unexpected exit. */
export interface CrashmailOptions extends MailListenerOptions {
  /** Put before the subject, after `mail.subjectPrefix` (superlance's `-o`). @default "" */
  subjectPrefix?: string;
}

/** `crashmailbatch` / `fatalmailbatch`: everything within `interval` in one mail. */
export interface MailBatchOptions extends MailListenerOptions {
  /** The batch window, from the first crash (superlance's `--interval`, in minutes there). @default "1m" */
  interval?: Duration;
  /**
   * The subject (after `mail.subjectPrefix`); `{count}` is the number of crashes (or fatal jobs).
   * @default "{count} crashes" (fatalmailbatch: "{count} jobs fatal")
   */
  subject?: string;
}

/** `crashsms`: batched short alerts through an email-to-SMS gateway, each at most 160 characters. */
export interface CrashSmsOptions extends Omit<MailListenerOptions, "to"> {
  /**
   * The gateway's addresses, e.g. "5551234567@sms.example.net" (superlance's `-t`).
   * @example "5551234567@txt.example.net"
   */
  to: string | string[];
  /** The batch window, from the first crash. @default "1m" */
  interval?: Duration;
  /** The subject, counted in the 160 characters (with `mail.subjectPrefix`). @default "crash" */
  subject?: string;
}

/** A `crashmail` listener as written in `listeners`. */
export type CrashmailDescriptor = { kind: "crashmail" } & CrashmailOptions;
/** A `crashmailbatch` listener as written in `listeners`. */
export type CrashmailBatchDescriptor = { kind: "crashmailbatch" } & MailBatchOptions;
/** A `fatalmailbatch` listener as written in `listeners`. */
export type FatalmailBatchDescriptor = { kind: "fatalmailbatch" } & MailBatchOptions;
/** A `crashsms` listener as written in `listeners`. */
export type CrashSmsDescriptor = { kind: "crashsms" } & CrashSmsOptions;

/** The kinds of mail listener. */
export type MailListenerKind = "crashmail" | "crashmailbatch" | "fatalmailbatch" | "crashsms";

/** A mail listener, resolved. */
export interface ResolvedMailListener {
  kind: MailListenerKind;
  /** Selectors (`"web"`, `"group:x"`, `"*"`). */
  jobs: string[];
  /** Recipients; null: `mail.to`. */
  to: string[] | null;
  /** Sender; null: `mail.from`. */
  from: string | null;
  /** crashmail's subject prefix ("" for the others). */
  subjectPrefix: string;
  /** The batch window (0 for crashmail). */
  intervalMs: number;
  /** The subject template of batches and SMS ("" for crashmail). */
  subject: string;
}
