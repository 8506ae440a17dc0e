/**
 * The registry of built-in listener kinds for validation: kind → the
 * validator of its descriptor. Each built-in's validator lives in its
 * owner's file (`listener_<kind>.ts`) and is added here, one line each.
 * The runtime side (kind → the module that runs it) is `notify/builtins.ts`.
 *
 * @module
 */

import type { Fields } from "./fields.ts";
import type { ResolvedJob } from "./resolved.ts";
import { WEBHOOK_KIND } from "./listener_webhook.ts";
import { readHttpok } from "./listener_httpok.ts";
import { readMemmon } from "./listener_memmon.ts";
import { MAIL_LISTENERS } from "./listener_crash.ts";

/** What a kind's validator may use besides the descriptor. */
export interface ListenerKindContext {
  /** The config's jobs (for `checkSelectors`); empty in a mode section. */
  jobs: readonly ResolvedJob[];
  /** The config file's directory (relative paths resolve against it). */
  dir: string;
  /** A mode section: required fields may be missing, selectors are not checked. */
  partial: boolean;
}

/** Validates and resolves one built-in's descriptor. */
export interface ListenerKind<R extends object = object> {
  /**
   * Reads the descriptor (without `kind` and `name`, which the section
   * reads): records every problem on `f` (`f.keys([...])` for unknown keys)
   * and returns the resolved options (plain data; meaningful only without
   * issues).
   */
  read(f: Fields, ctx: ListenerKindContext): R;
}

/** Built-in kinds by name. */
export type ListenerKinds = Readonly<Record<string, ListenerKind>>;

/** The built-in listener kinds sup knows. */
export const LISTENER_KINDS: ListenerKinds = {
  // Each built-in's validator, added by its owner (one line each):
  webhook: WEBHOOK_KIND,
  httpok: { read: readHttpok },
  memmon: { read: readMemmon },
  ...MAIL_LISTENERS, // crashmail, crashmailbatch, fatalmailbatch, crashsms
};
