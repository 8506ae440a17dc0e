/**
 * The registry of built-in listeners for the runtime: kind → the module
 * that runs it (exporting `create: BuiltinFactory<...>`), imported only when
 * a config uses that kind. Each built-in's owner adds its line. The
 * validation side (kind → validator) is `config/listener_kinds.ts`.
 *
 * @module
 */

import type { BuiltinFactory } from "./listener.ts";

/** What a built-in's module exports. */
export interface BuiltinModule {
  /** Makes the running listener from the options its validator resolved. */
  create: BuiltinFactory<never>;
}

/** Built-in kinds by name, each the import of its module. */
export type BuiltinLoaders = Readonly<Record<string, () => Promise<BuiltinModule>>>;

/** The built-in listeners sup runs. */
export const BUILTINS: BuiltinLoaders = {
  // Each built-in's module, added by its owner (one line each), e.g.
  // httpok: () => import("../probes/httpok.ts"),
  webhook: () => import("./webhook.ts"),
  httpok: () => import("../probes/httpok.ts"),
  memmon: () => import("../probes/memmon_listener.ts"),
  crashmail: () => import("./crashmail.ts"),
  crashmailbatch: () => import("./crashmailbatch.ts"),
  fatalmailbatch: () => import("./fatalmailbatch.ts"),
  crashsms: () => import("./crashsms.ts"),
};
