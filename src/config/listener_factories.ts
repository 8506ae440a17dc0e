/**
 * The factories a config calls for built-in listeners (`httpok({...})`,
 * `crashmail({...})`, ...): each returns a plain descriptor
 * `{ kind: "<kind>", ...options }`, so the same listener can be written in
 * TOML or JSON (`[[listeners]] kind = "crashmail"`). `mod.ts` exports them
 * all. Each built-in's owner adds its factory here, one block each.
 *
 * Adding a built-in `foo`:
 * 1. `config/listener_foo.ts`: `FooOptions` (every option documented with
 *    `@default`), `type FooListener = { kind: "foo"; name?: string } & FooOptions`,
 *    and `fooKind: ListenerKind<ResolvedFoo>` (reads the options with
 *    `Fields`, `f.keys([...])` first; `checkSelectors` for job selectors).
 * 2. `| FooListener` in `BuiltinListener` (`config/types_listeners.ts`);
 *    `foo: fooKind` in `LISTENER_KINDS` (`config/listener_kinds.ts`).
 * 3. Here: `export function foo(options: FooOptions): FooListener { return { kind: "foo", ...options }; }`
 * 4. Its module exports `create: BuiltinFactory<ResolvedFoo>` (`notify/listener.ts`),
 *    and `foo: () => import("...")` goes in `BUILTINS` (`notify/builtins.ts`).
 * 5. Unit tests with `createTestContext()` (`testing/listener_context.ts`);
 *    `--include` its types file in the compile task (a test says which).
 *
 * @module
 */

// Webhook ---------------------------------------------------------------------

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

// httpok, memmon ---------------------------------------------------------------
import type { HttpokListener, HttpokOptions } from "./listener_httpok_types.ts";
import type { MemmonListener, MemmonOptions } from "./listener_memmon_types.ts";

/**
 * A built-in listener (superlance's httpok): GETs `url` every `interval`;
 * on a timeout, a wrong status or missing body text it restarts the
 * selected running jobs (after a core dump with `coreDir`) and notifies.
 * @example httpok({ url: "http://127.0.0.1:8080/", jobs: ["web"], timeout: "5s" })
 */
export function httpok(options: HttpokOptions): HttpokListener {
  return { kind: "httpok", ...options };
}

/**
 * A built-in listener (superlance's memmon): every `interval`, restarts the
 * running jobs whose memory is over their limit, and notifies.
 * @example memmon({ limits: { web: "200MB", "*": "1GB" }, cumulative: true })
 */
export function memmon(options: MemmonOptions): MemmonListener {
  return { kind: "memmon", ...options };
}

// Mail ------------------------------------------------------------------------

import type {
  CrashmailBatchDescriptor,
  CrashmailDescriptor,
  CrashmailOptions,
  CrashSmsDescriptor,
  CrashSmsOptions,
  FatalmailBatchDescriptor,
  MailBatchOptions,
} from "./listener_crash_types.ts";

/**
 * superlance's crashmail: one mail per unexpected exit of the selected jobs
 * (an exit sup did not ask for, whose code is not in `noRestartExitCodes`).
 * Needs the `mail` section.
 * @example crashmail({ jobs: "group:front", to: "oncall@example.com" })
 */
export function crashmail(options: CrashmailOptions = {}): CrashmailDescriptor {
  return { kind: "crashmail", ...options };
}

/**
 * superlance's crashmailbatch: every crash within `interval` of the first in one mail.
 * @example crashmailbatch({ interval: "5m" })
 */
export function crashmailbatch(options: MailBatchOptions = {}): CrashmailBatchDescriptor {
  return { kind: "crashmailbatch", ...options };
}

/**
 * superlance's fatalmailbatch: every job that went `fatal` within `interval` in one mail.
 * @example fatalmailbatch({ to: "ops@example.com" })
 */
export function fatalmailbatch(options: MailBatchOptions = {}): FatalmailBatchDescriptor {
  return { kind: "fatalmailbatch", ...options };
}

/**
 * superlance's crashsms: batched crash alerts through an email-to-SMS
 * gateway, every message at most 160 characters.
 * @example crashsms({ to: "5551234567@txt.example.net", interval: "2m" })
 */
export function crashsms(options: CrashSmsOptions): CrashSmsDescriptor {
  return { kind: "crashsms", ...options };
}
