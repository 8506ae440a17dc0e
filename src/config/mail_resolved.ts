/**
 * The `mail` section and `logging.mail` / `logging.screenshots` after
 * validation: defaults applied, durations in ms, paths absolute.
 *
 * @module
 */

import type { LogLevel } from "./types.ts";

/** A password: the text itself, or the environment variable read when sending. */
export type ResolvedSecret = { value: string } | { env: string };

/** How mail leaves the machine. */
export type ResolvedMailTransport =
  | {
    kind: "smtp";
    host: string;
    port: number;
    secure: boolean;
    /** "required": fail without STARTTLS; "never": do not upgrade; "offered": upgrade when offered. */
    starttls: "required" | "never" | "offered";
    user: string | null;
    pass: ResolvedSecret | null;
    /** Absolute path of a PEM file to trust, or null for the system's authorities. */
    ca: string | null;
    timeoutMs: number;
  }
  | { kind: "sendmail"; argv: string[] };

/** `mail`, resolved. */
export interface ResolvedMail {
  transport: ResolvedMailTransport;
  /** Template (`{hostname}` ...). */
  from: string;
  to: string[];
  subjectPrefix: string;
  maxQueue: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  giveUpAfterMs: number;
}

/** `logging.mail`, resolved. */
export interface ResolvedLogMail {
  level: LogLevel;
  /** Recipients; null: `mail.to`. */
  to: string[] | null;
  intervalMs: number;
  subject: string;
}

/** `logging.screenshots`, resolved. */
export interface ResolvedScreenshots {
  /** argv; `{file}` in any argument is replaced by the picture's path. */
  command: string[];
  /** Absolute path template; `{date}` is replaced by the crash's time. */
  file: string;
  maxFiles: number;
  timeoutMs: number;
}
