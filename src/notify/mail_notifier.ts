/**
 * The mail notifier: turns notifications into mails (`mail.subjectPrefix`,
 * templates, `mail.from` / `mail.to` unless the notification names its
 * own), queues them in a bounded retry queue, and reports every delivery,
 * failure and drop as an event and a log line. It registers in the
 * `NotifierHub` as "mail", so `ctx.notify`, crashmail and its kin, and
 * `sup notify test` all reach it.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { ResolvedMail } from "../config/mail_resolved.ts";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { EventBus } from "../core/event_bus.ts";
import type { Delivery, Notification, Notifier } from "../core/notifier_hub.ts";
import type { Clock } from "../core/clock.ts";
import { type QueueOutcome, RetryQueue } from "./mail_queue.ts";
import { fillTemplate } from "./mail_template.ts";
import { type MailMessage, mailSender, type SendMail } from "./mail_transport.ts";

/**
 * The log category of the mail notifier. `logging.mail` never mails lines
 * from it (a failing server would otherwise feed its own queue).
 */
export const MAIL_LOG_CATEGORY = ["sup", "notify", "mail"] as const;

const log = getLogger([...MAIL_LOG_CATEGORY]);

/** What a mail notifier is built from. */
export interface MailNotifierOptions {
  /** The `mail` section. */
  mail: ResolvedMail;
  /** The running config, for templates (`{app.site}`, `{mode}`). */
  config: () => ResolvedConfig | null;
  /** Where `notify.*` events go; null: none (`sup notify test`). */
  bus: EventBus | null;
  /** How a message leaves (tests may record instead). @default mailSender(mail.transport) */
  send?: SendMail;
  /** Time for the retry queue. @default the real clock */
  clock?: Clock;
  /** The notifier's name. @default "mail" */
  name?: string;
}

/** Sends notifications as mail, retried and bounded. */
export class MailNotifier implements Notifier {
  readonly name: string;
  readonly mail: ResolvedMail;
  #options: MailNotifierOptions;
  #send: SendMail;
  #queue: RetryQueue<MailMessage>;

  constructor(options: MailNotifierOptions) {
    this.#options = options;
    this.name = options.name ?? "mail";
    this.mail = options.mail;
    this.#send = options.send ?? mailSender(options.mail.transport);
    const emit = (event: Parameters<EventBus["emit"]>[0]) => options.bus?.emit(event);
    this.#queue = new RetryQueue<MailMessage>({
      deliver: (message) => this.#send(message),
      maxSize: options.mail.maxQueue,
      backoffInitialMs: options.mail.backoffInitialMs,
      backoffMaxMs: options.mail.backoffMaxMs,
      giveUpAfterMs: options.mail.giveUpAfterMs,
      clock: options.clock,
      hooks: {
        sent: (message, attempts, detail) => {
          log.info(`Mail "${message.subject}" to ${message.to.join(", ")} delivered: ${detail}`);
          emit({
            type: "notify.sent",
            notifier: this.name,
            subject: message.subject,
            attempts,
            at: Date.now(),
          });
        },
        failed: (message, error, willRetry) => {
          const next = willRetry ? "will retry" : "giving up";
          log.warn(`Mail "${message.subject}" not delivered (${next}): ${error}`);
          emit({
            type: "notify.failed",
            notifier: this.name,
            subject: message.subject,
            error,
            willRetry,
            at: Date.now(),
          });
        },
        dropped: (message, dropped) => {
          log.warn(
            `Mail queue full (${options.mail.maxQueue}): dropped the oldest mail "${message.subject}" (${dropped} dropped so far)`,
          );
          emit({
            type: "notify.dropped",
            notifier: this.name,
            subject: message.subject,
            dropped,
            at: Date.now(),
          });
        },
      },
    });
  }

  /** Mails waiting or being delivered. */
  get queued(): number {
    return this.#queue.size;
  }

  /** The mail `notification` becomes: templates filled, prefix, sender and recipients. */
  compose(notification: Notification): MailMessage {
    const config = this.#options.config();
    const values = { job: notification.job };
    const fill = (text: string) => fillTemplate(text, values, config);
    return {
      from: fill(notification.from ?? this.mail.from),
      to: notification.to?.length ? notification.to : this.mail.to,
      subject: fill(this.mail.subjectPrefix + notification.subject).replace(/[\r\n]+/g, " "),
      text: fill(notification.body),
      attachments: notification.attachments,
    };
  }

  /** Queues the mail; resolves when it was delivered, given up or dropped. */
  async send(notification: Notification): Promise<Delivery> {
    return this.#delivery(await this.#queue.push(this.compose(notification)));
  }

  /** Sends at once, without the queue or retries (`sup notify test`). */
  async test(notification: Notification): Promise<Delivery> {
    const message = this.compose(notification);
    try {
      const detail = await this.#send(message);
      return { notifier: this.name, ok: true, detail: `to ${message.to.join(", ")}: ${detail}` };
    } catch (error) {
      return {
        notifier: this.name,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }

  /** Gives queued mail up to `timeoutMs` to go out (retrying at once); true when none is left. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.#queue.size === 0) return true;
    const empty = await this.#queue.drain(timeoutMs);
    if (!empty) log.warn(`${this.#queue.size} mail(s) not delivered yet`);
    return empty;
  }

  /** Gives queued mail up to `timeoutMs` to go out, then stops (what is left is not sent). */
  async close(timeoutMs = 0): Promise<void> {
    if (timeoutMs > 0) await this.drain(timeoutMs);
    this.#queue.close();
  }

  #delivery(outcome: QueueOutcome): Delivery {
    return outcome.ok
      ? { notifier: this.name, ok: true, detail: outcome.detail }
      : { notifier: this.name, ok: false, error: outcome.error };
  }
}
