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

// issue 9: mail (H3) ------------------------------------------------------------

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
