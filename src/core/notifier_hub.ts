/**
 * Notifiers (mail, an SMS gateway, chat webhooks) and the hub that fans a
 * notification out to every one configured. The hub knows no transport:
 * notifiers register themselves when the config asks for them (mail in
 * `notify/`), so a config without them loads none of their code.
 *
 * @module
 */

import type { Delivery, Notification, Notifier } from "./notification.ts";

export type { Attachment, Delivery, Notification, Notifier } from "./notification.ts";

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
    const only = message.only;
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
