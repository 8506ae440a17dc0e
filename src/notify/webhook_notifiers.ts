/**
 * Every `webhook` listener of the config is also a notifier in the
 * `NotifierHub`, named like its sender (`webhook`, `webhook:slack`), so
 * notifications (`ctx.notify` of any listener, machine actions) and
 * `sup notify test` reach it. A component of `sup run` (loaded only when the
 * config has a webhook) that follows reloads: a changed webhook's notifier
 * is replaced, a removed one unregistered. Its queue is its own (the
 * listener's events have theirs); both retry and are bounded the same way.
 *
 * @module
 */

import type { ResolvedWebhook } from "../config/listener_webhook.ts";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { Component } from "../core/component.ts";
import type { EventBus } from "../core/event_bus.ts";
import type { Delivery, Notification, Notifier } from "../core/notification.ts";
import type { NotifierHub } from "../core/notifier_hub.ts";
import { listenerLogger } from "./listener_context.ts";
import { webhookName, type WebhookTarget, webhookTarget } from "./webhook.ts";
import { notificationMessages } from "./webhook_format.ts";
import { WebhookSender, type WebhookSenderOptions } from "./webhook_sender.ts";

/** The webhook listeners of `config`: name and options. */
export function webhooksOf(config: ResolvedConfig): { name: string; options: ResolvedWebhook }[] {
  return config.listeners.flatMap((l) =>
    l.type === "builtin" && l.kind === "webhook"
      ? [{ name: l.name, options: l.options as unknown as ResolvedWebhook }]
      : []
  );
}

/** One webhook as a notifier. */
export class WebhookNotifier implements Notifier {
  readonly name: string;
  #target: WebhookTarget;
  #sender: WebhookSender;
  #host: string;

  /** Throws when a secret's environment variable is not set. */
  constructor(
    listenerName: string,
    options: ResolvedWebhook,
    bus: EventBus | null,
    tuning: Partial<WebhookSenderOptions> = {},
  ) {
    this.name = webhookName(listenerName);
    this.#target = webhookTarget(options);
    this.#sender = new WebhookSender({
      name: this.name,
      url: this.#target.url,
      headers: this.#target.headers,
      bus,
      log: listenerLogger(listenerName),
      ...tuning,
    });
    this.#host = hostname();
  }

  /** Queues the notification (retried, bounded); resolves when delivered or given up. */
  async send(message: Notification): Promise<Delivery> {
    const parts = notificationMessages(this.#target.preset, this.#host, message);
    const deliveries = await Promise.all(parts.map((part) => this.#sender.send(part)));
    return deliveries.find((d) => !d.ok) ?? deliveries[0];
  }

  /** POSTs the notification now, once (`sup notify test`). */
  async test(message: Notification): Promise<Delivery> {
    const parts = notificationMessages(this.#target.preset, this.#host, message);
    for (const part of parts) {
      const delivery = await this.#sender.test(part);
      if (!delivery.ok) return delivery;
    }
    return { notifier: this.name, ok: true, detail: `posted to ${new URL(this.#target.url).host}` };
  }

  /** Gives what waits a last try (bounded). */
  close(boundMs = 2_000): Promise<void> {
    return this.#sender.close(boundMs);
  }
}

/**
 * Adds a notifier to `hub` for each webhook of `config` (for
 * `sup notify test`); a webhook whose secret is missing becomes a notifier
 * whose test fails with that reason.
 */
export function registerWebhookNotifiers(config: ResolvedConfig, hub: NotifierHub): Promise<void> {
  for (const { name, options } of webhooksOf(config)) {
    try {
      hub.register(new WebhookNotifier(name, options, null));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const failed = (): Promise<Delivery> =>
        Promise.resolve({ notifier: webhookName(name), ok: false, error: message });
      hub.register({ name: webhookName(name), send: failed, test: failed });
    }
  }
  return Promise.resolve();
}

/** The component of `sup run`; see the module doc. */
export class WebhookNotifiers implements Component {
  #hub: NotifierHub;
  #bus: EventBus;
  #running = new Map<string, { key: string; notifier: WebhookNotifier; off: () => void }>();

  /** Registers into `hub`; `notify.*` events go to `bus`. */
  constructor(hub: NotifierHub, bus: EventBus) {
    this.#hub = hub;
    this.#bus = bus;
  }

  /** Registers, replaces and unregisters notifiers as the config's webhooks say. */
  async apply(config: ResolvedConfig): Promise<void> {
    const wanted = new Map(webhooksOf(config).map((w) => [w.name, w]));
    for (const [name, running] of this.#running) {
      const next = wanted.get(name);
      if (next && JSON.stringify(next.options) === running.key) continue;
      running.off();
      this.#running.delete(name);
      await running.notifier.close();
    }
    for (const [name, { options }] of wanted) {
      if (this.#running.has(name)) continue;
      try {
        const notifier = new WebhookNotifier(name, options, this.#bus);
        const off = this.#hub.register(notifier);
        this.#running.set(name, { key: JSON.stringify(options), notifier, off });
      } catch (error) {
        // The listener itself reports the same problem (listener.failed); say it once more here.
        listenerLogger(name).error(
          `Not a notifier: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  /**
   * Gives what waits a last try (bounded). The notifiers stay registered:
   * listeners closed after this still reach them, once each, without retries.
   */
  async close(): Promise<void> {
    await Promise.all([...this.#running.values()].map((r) => r.notifier.close()));
  }
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "this machine";
  }
}
