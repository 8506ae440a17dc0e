/**
 * The factories a config calls for built-in listeners (`httpok({...})`,
 * `crashmail({...})`, ...): each returns a plain descriptor
 * `{ kind: "<kind>", ...options }`, so the same listener can be written in
 * TOML or JSON (`[[listeners]] kind = "crashmail"`). `mod.ts` exports them
 * all. Each built-in's owner adds its factory here, with its options type
 * in its own file (`listener_<kind>.ts`), one block each.
 *
 * @module
 */

// issue 9: webhook (H4) ---------------------------------------------------------

import type { WebhookDescriptor, WebhookOptions } from "./listener_webhook_types.ts";
export type { WebhookDescriptor, WebhookOptions, WebhookPreset } from "./listener_webhook_types.ts";

/**
 * Posts events to an incoming webhook (Slack, Discord, any JSON endpoint),
 * batched with `interval`, retried with backoff; also a notifier, so
 * notifications (`ctx.notify`, machine actions, `sup notify test`) reach it.
 * @example webhook({ url: { env: "SLACK_WEBHOOK_URL" }, on: ["job.fatal", "health.failed"], interval: "30s" })
 */
export function webhook(options: WebhookOptions): WebhookDescriptor {
  return { kind: "webhook", ...options };
}
