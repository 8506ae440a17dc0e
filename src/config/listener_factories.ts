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

// issue 9: httpok, memmon (H2) ------------------------------------------------
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
