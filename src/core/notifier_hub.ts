/**
 * Notifiers (mail, an SMS gateway, chat webhooks) and the hub that fans a
 * notification out to every one configured. The hub knows no transport:
 * notifiers register themselves when the config asks for them (mail in
 * `notify/`), so a config without them loads none of their code.
 *
 * @module
 */

/** A file attached to a notification (a screenshot, a core dump's gcore output). */
export interface Attachment {
  filename: string;
  /** Path of the file on disk, read when the message is sent. */
  path?: string;
  /** Or the content itself. */
  content?: string | Uint8Array;
  contentType?: string;
}

/** One message for people. */
export interface Notification {
  subject: string;
  body: string;
  attachments?: Attachment[];
  /** The job it is about, for templates (`{job}`) and webhooks. */
  job?: string;
  // issue 9: mail (H3)
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

/** The notifiers a running sup has, by name. */
export class NotifierHub {
  #notifiers = new Map<string, Notifier>();

  /** Adds (or replaces) a notifier; returns the function that removes it. */
  register(notifier: Notifier): () => void {
    this.#notifiers.set(notifier.name, notifier);
    return () => {
      if (this.#notifiers.get(notifier.name) === notifier) this.#notifiers.delete(notifier.name);
    };
  }

  /** The registered notifiers, in registration order. */
  list(): Notifier[] {
    return [...this.#notifiers.values()];
  }

  /** Sends `message` through every notifier; one delivery per notifier. Never rejects. */
  notify(message: Notification): Promise<Delivery[]> {
    const only = message.only; // issue 9: mail (H3)
    return Promise.all(
      this.list().filter((n) => !only || only.includes(n.name)).map((n) =>
        n.send(message).catch((error): Delivery => ({
          notifier: n.name,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        }))
      ),
    );
  }
}
