/**
 * `sup notify test [config] [mode]`: sends one test message through every
 * notifier the config sets up (mail; webhooks register theirs below), at
 * once and without retries, and prints per notifier "delivered" with the
 * server's reply, or the server's error. Exits 1 when any failed or none is
 * configured. Needs no running sup.
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import { loadConfig } from "../config/loader.ts";
import type { ResolvedConfig } from "../config/resolved.ts";
import { type Delivery, type Notification, NotifierHub } from "../core/notifier_hub.ts";
import { configArgument } from "./config_arg.ts";
import { ExitCode, UserError } from "./exit_codes.ts";

/** Adds the notifiers `config` asks for to `hub` (each feature's module loaded only when used). */
export type NotifierSource = (config: ResolvedConfig, hub: NotifierHub) => Promise<void>;

/** Every feature that can notify, one line each. */
export const NOTIFIER_SOURCES: NotifierSource[] = [
  // Mail
  async (config, hub) => {
    if (!config.mail) return;
    const { MailNotifier } = await import("../notify/mail_notifier.ts");
    hub.register(new MailNotifier({ mail: config.mail, config: () => config, bus: null }));
  },
  // Webhook
  async (config, hub) => {
    const { registerWebhookNotifiers } = await import("../notify/webhook_notifiers.ts");
    await registerWebhookNotifiers(config, hub);
  },
];

/** The test message. */
export function testMessage(config: ResolvedConfig): Notification {
  return {
    subject: "Test message from sup",
    body: [
      `This is a test message sent by "sup notify test" on {hostname}.`,
      `Config: ${config.source}`,
      `Mode: {mode}`,
      "",
      "If you read this, sup's notifications reach you.",
    ].join("\n"),
  };
}

/** Sends the test message through every notifier of `config`; one delivery each (bounded by `timeoutMs`). */
export async function testNotifiers(
  config: ResolvedConfig,
  timeoutMs = 60_000,
  sources: NotifierSource[] = NOTIFIER_SOURCES,
): Promise<Delivery[]> {
  const hub = new NotifierHub();
  for (const add of sources) await add(config, hub);
  const message = testMessage(config);
  return await Promise.all(
    hub.list().map(async (notifier) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<Delivery>((resolve) => {
        timer = setTimeout(
          () =>
            resolve({ notifier: notifier.name, ok: false, error: `no answer in ${timeoutMs} ms` }),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([
          notifier.test(message).catch((error): Delivery => ({
            notifier: notifier.name,
            ok: false,
            error: error instanceof Error ? error.message : String(error),
          })),
          late,
        ]);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}

/** The `notify` command and its `test` subcommand. */
export function notifyCommand(): Command {
  const notify = new Command("notify").description("notifications (mail, webhooks)");
  notify.addCommand(
    new Command("test")
      .description(
        "send one test message through every configured notifier; print each one's result (exit 1 if any failed)",
      )
      .argument("[config]", "config file (default: ./sup.config.ts, then ./config.ts)")
      .argument("[mode]", 'mode to apply, e.g. "dev"')
      .addHelpText(
        "after",
        `
Example:
  $ sup notify test kiosk.ts
  mail: delivered (to ops@example.com: 250 2.0.0 Ok: queued as 4F2A1)`,
      )
      .action(async (configArg, mode) => {
        const { config } = await loadConfig(await configArgument(configArg), mode);
        const deliveries = await testNotifiers(config);
        if (deliveries.length === 0) {
          throw new UserError(
            `"${config.source}" configures no notifier (add a "mail" section, or a webhook listener)`,
          );
        }
        for (const d of deliveries) {
          console.log(
            d.ok ? `${d.notifier}: delivered (${d.detail})` : `${d.notifier}: FAILED: ${d.error}`,
          );
        }
        if (deliveries.some((d) => !d.ok)) throw new UserError("", ExitCode.Failure);
      }) as unknown as Command,
  );
  return notify;
}
