/**
 * `logging.mail` (ampm's mail logger): sup's own log lines and apps' log
 * lines (which sup logs under `["sup","app",<job>]`) at or above a level
 * are collected and mailed together, one mail per `interval` after the
 * first line. Lines of the mail notifier itself are never mailed (a
 * failing server would feed its own queue), a batch holds at most
 * `MAX_LINES` lines (the rest are counted), and what is pending when sup
 * stops goes out at once.
 *
 * @module
 */

import type { LogLevel as TapeLevel, LogRecord } from "@logtape/logtape";
import type { ResolvedLogMail } from "../config/mail_resolved.ts";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { Component } from "../core/component.ts";
import type { NotifierHub } from "../core/notifier_hub.ts";
import { localDateTime } from "./mail_template.ts";
import { tapLog } from "./log_mail_tap.ts";

/** Lines kept in one batch; more are counted, not kept. */
export const MAX_LINES = 500;

const RANK: Record<TapeLevel, number> = {
  trace: 0,
  debug: 1,
  info: 2,
  warning: 3,
  error: 4,
  fatal: 5,
};

/** Categories never mailed: the mail notifier and this module. */
const QUIET = [["sup", "notify", "mail"], ["sup", "notify", "log-mail"]];

/** One log record as a line: time, level, category, message. */
export function formatRecord(record: LogRecord): string {
  const message = record.message
    .map((part, i) =>
      i % 2 === 0 ? String(part) : typeof part === "string" ? part : JSON.stringify(part)
    )
    .join("");
  const category = record.category.slice(1).join("·") || "sup";
  return `${localDateTime(record.timestamp)} ${record.level.toUpperCase()} ${category}: ${message}`;
}

/** Collects lines and mails them in batches through the hub's "mail" notifier. */
export class LogMailer {
  #settings: ResolvedLogMail;
  #hub: NotifierHub;
  #lines: string[] = [];
  #extra = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(settings: ResolvedLogMail, hub: NotifierHub) {
    this.#settings = settings;
    this.#hub = hub;
  }

  /** New settings (a reload). */
  set settings(settings: ResolvedLogMail) {
    this.#settings = settings;
  }

  /** Takes one record if it is at or above the level and not from the mail code. */
  take(record: LogRecord): void {
    if (RANK[record.level] < RANK[this.#settings.level]) return;
    if (QUIET.some((q) => q.every((part, i) => record.category[i] === part))) return;
    if (this.#lines.length < MAX_LINES) this.#lines.push(formatRecord(record));
    else this.#extra++;
    this.#timer ??= setTimeout(() => this.flush(), this.#settings.intervalMs);
  }

  /** Mails what is collected now (nothing when empty). */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#lines.length === 0) return;
    const count = this.#lines.length + this.#extra;
    const more = this.#extra > 0 ? [`... and ${this.#extra} more lines`] : [];
    const subject = this.#settings.subject
      .replaceAll("{count}", String(count))
      .replaceAll("{level}", this.#settings.level);
    const body = [...this.#lines, ...more].join("\n");
    this.#lines = [];
    this.#extra = 0;
    void this.#hub.notify({
      subject,
      body,
      only: ["mail"],
      ...(this.#settings.to ? { to: this.#settings.to } : {}),
    });
  }
}

/** The `logging.mail` component (loaded only when a config sets it). */
export function logMailComponent(hub: NotifierHub): Component {
  let mailer: LogMailer | null = null;
  let untap: (() => void) | null = null;
  const stop = () => {
    untap?.();
    untap = null;
    mailer?.flush();
    mailer = null;
  };
  return {
    apply(config: ResolvedConfig) {
      const settings = config.mail ? config.logging.mail : null;
      if (!settings) return stop();
      if (mailer) {
        mailer.settings = settings;
        return;
      }
      const current = mailer = new LogMailer(settings, hub);
      untap = tapLog((record) => current.take(record));
    },
    close: stop,
  };
}
