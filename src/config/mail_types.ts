/**
 * The `mail` section and the mail parts of `logging` as a user writes them:
 * how sup sends mail (an SMTP server or a sendmail command), who gets it,
 * and how a server that is down is retried.
 *
 * @module
 */

import type { BackoffConfig, CommandConfig, Duration, LogLevel } from "./types.ts";

/** A secret read from sup's environment when it is used, so the config can be committed. */
export interface EnvSecret {
  /** Name of the environment variable that holds the secret. @example "SMTP_PASS" */
  env: string;
}

/** An SMTP server sup hands its mail to. */
export interface SmtpConfig {
  /** Host name or address of the server. @example "smtp.example.com" */
  host: string;
  /** TCP port. @default 465 with `secure`, else 587 */
  port?: number;
  /** TLS from the first byte (SMTPS, usually port 465). @default false */
  secure?: boolean;
  /**
   * STARTTLS on a plain connection: true requires it (a server that does not
   * offer it is an error), false never upgrades. Unset, sup upgrades when the
   * server offers it.
   * @default unset: upgrade when offered
   */
  starttls?: boolean;
  /** User name to log in with (SMTP AUTH). @default no login */
  user?: string;
  /**
   * Password for `user`: the text, or `{ env: "SMTP_PASS" }` to read it from
   * sup's environment each time mail is sent.
   * @default none
   * @example { env: "SMTP_PASS" }
   */
  pass?: string | EnvSecret;
  /**
   * A PEM file with the certificate (or certificate authority) to trust for
   * this server, e.g. its self-signed certificate; relative to the config file.
   * @default the system's trusted authorities
   */
  ca?: string;
  /** Longest wait for the connection, the greeting and each reply. @default "30s" */
  timeout?: Duration;
}

/**
 * Mail: the transport (`smtp` or `sendmail`, exactly one), the sender and
 * the default recipients. Subjects and bodies may use `{hostname}`, `{job}`,
 * `{mode}` and paths into the config such as `{app.site}` (ampm's subject
 * templating).
 */
export interface MailConfig {
  /** Send through this SMTP server. */
  smtp?: SmtpConfig;
  /**
   * Send by piping each message to this command (which reads the recipients
   * from the headers, as `-t` says), instead of SMTP.
   * @example "/usr/sbin/sendmail -t -i"
   */
  sendmail?: CommandConfig;
  /** The sender address. @default "sup@{hostname}" */
  from?: string;
  /**
   * Recipients of notifications (`ctx.notify`, `sup notify test`,
   * `logging.mail`); crashmail and its kin may name their own.
   * @example ["ops@example.com"]
   */
  to: string | string[];
  /** Put before every subject. @default "[sup {hostname}] " */
  subjectPrefix?: string;
  /** Messages kept while the server cannot be reached; beyond it the oldest is dropped. @default 100 */
  maxQueue?: number;
  /** Delay between attempts while delivery fails: doubles from `initial` up to `max`. @default { initial: "5s", max: "5m" } */
  backoff?: BackoffConfig;
  /** A message not delivered this long after it was queued is given up. @default "1d" */
  giveUpAfter?: Duration;
}

/** Mails sup's own log lines and apps' log lines (`/log`) at or above a level, batched. */
export interface LogMailConfig {
  /** The lowest level mailed (lines below `logging.level` are never made at all). @default "error" */
  level?: LogLevel;
  /** Recipients. @default mail.to */
  to?: string | string[];
  /** Lines that arrive within this time after the first go out in one mail. @default "1m" */
  interval?: Duration;
  /** Subject (after `mail.subjectPrefix`); `{count}` is the number of lines. @default "{count} log lines at {level} or above" */
  subject?: string;
}

/** A picture of the screen taken after each crash and attached to the crash mail (ampm's screenshots). */
export interface ScreenshotsConfig {
  /**
   * The capture command; `{file}` is replaced by the file to write.
   * @example "import -window root {file}"
   */
  command: CommandConfig;
  /** Where pictures go, relative to the config file; `{date}` becomes the time of the crash. @default "logs/capture-{date}.png" */
  file?: string;
  /** Pictures kept; older ones are deleted. @default 20 */
  maxFiles?: number;
  /** The capture command is killed after this long. @default "10s" */
  timeout?: Duration;
}

/** The mail options of `logging` (`LoggingConfig` has them). */
export interface LoggingMailOptions {
  /** Mail sup's log lines and apps' log lines at or above a level, batched (needs `mail`). @default none */
  mail?: LogMailConfig;
  /** After a crash, capture the screen and attach the picture to the crash mail. @default none */
  screenshots?: ScreenshotsConfig;
}

/** The `mail` section of a config (`ConfigBody` has it). */
export interface MailBody {
  /** How sup sends mail (SMTP or sendmail) and to whom: notifications, crashmail and its kin. @default none */
  mail?: MailConfig;
}
