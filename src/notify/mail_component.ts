/**
 * The mail component of a running sup, loaded only when a config has a
 * `mail` section: keeps one `MailNotifier` registered in the hub as
 * "mail", replaces it when a reload changes the section (the old one gets a
 * bounded time to send what it holds), removes it when the section goes,
 * and on shutdown gives queued mail a few seconds to go out. It also runs
 * `logging.mail` (which sends through that notifier).
 *
 * On shutdown the notifier stays registered: components are closed in
 * reverse order, so the listeners (crashmailbatch...) close after this one
 * and still send their last batches through it.
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import type { Component } from "../core/component.ts";
import { NotifierHub } from "../core/notifier_hub.ts";
import { MailNotifier } from "./mail_notifier.ts";
import { logMailComponent } from "./log_mail.ts";

/** How long a replaced or stopping notifier may keep sending what it holds. */
const DRAIN_ON_REPLACE_MS = 30_000;
const DRAIN_ON_STOP_MS = 5_000;

/** What the mail component needs. */
export interface MailComponentParts {
  api: Pick<SupervisorApi, "bus" | "config">;
  /** The hub the notifier registers in. @default a hub of its own */
  notifiers?: NotifierHub;
}

/** The mail component: a `MailNotifier` that follows `config.mail`. */
export function mailComponent(parts: MailComponentParts): Component {
  const hub = parts.notifiers ?? new NotifierHub();
  let current: { key: string; notifier: MailNotifier; unregister: () => void } | null = null;
  let config: ResolvedConfig | null = null;
  const logMail = logMailComponent(hub);
  const retire = (old: typeof current, drainMs: number) => {
    if (!old) return Promise.resolve();
    old.unregister();
    return old.notifier.close(drainMs);
  };
  return {
    apply(next) {
      config = next;
      const key = next.mail ? JSON.stringify(next.mail) : "";
      if (current?.key === key) return logMail.apply(next);
      const old = current;
      current = null;
      if (next.mail) {
        const notifier = new MailNotifier({
          mail: next.mail,
          config: () => config,
          bus: parts.api.bus,
        });
        current = { key, notifier, unregister: hub.register(notifier) };
      }
      void retire(old, DRAIN_ON_REPLACE_MS);
      logMail.apply(next);
    },
    async close() {
      await logMail.close();
      await current?.notifier.drain(DRAIN_ON_STOP_MS);
    },
  };
}
