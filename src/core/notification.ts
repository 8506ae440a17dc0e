/**
 * Notifications: a message for people, what became of it at one notifier,
 * and what a notifier is. Types only, so the types users see (`mod.ts`,
 * `ctx.notify`) can name them without the hub.
 *
 * @module
 */

/** A file attached to a notification (a screenshot, a core dump's gcore output). */
export interface Attachment {
  /** The file's name as the recipient sees it. */
  filename: string;
  /** Path of the file on disk, read when the message is sent. */
  path?: string;
  /** Or the content itself. */
  content?: string | Uint8Array;
  /** MIME type, e.g. `"image/png"`. @default guessed from `filename` */
  contentType?: string;
}

/** One message for people. */
export interface Notification {
  /** One line. */
  subject: string;
  /** Plain text. */
  body: string;
  /** Files sent along (mail attaches them; others may name them). */
  attachments?: Attachment[];
  /** The job it is about, for templates (`{job}`) and webhooks. */
  job?: string;
  /** Recipients for notifiers that address people (mail), instead of their own (`mail.to`). */
  to?: string[];
  /** The sender for notifiers that have one (mail), instead of their own (`mail.from`). */
  from?: string;
  /** Only through these notifiers (by name, e.g. `["mail"]`); every one when unset. */
  only?: string[];
}

/** What became of a notification at one notifier. */
export type Delivery =
  | { notifier: string; ok: true; detail: string }
  | { notifier: string; ok: false; error: string };

/** Something that delivers notifications (mail, SMS gateway, webhook). */
export interface Notifier {
  /** Shown in logs, events and `sup notify test`, e.g. `"mail"` or `"webhook:slack"`. */
  readonly name: string;
  /**
   * Queues `message` (retried with backoff by the notifier); resolves when
   * it was handed over or finally given up. Never rejects.
   */
  send(message: Notification): Promise<Delivery>;
  /** Sends at once without queueing or retries, for `sup notify test`. */
  test(message: Notification): Promise<Delivery>;
}
