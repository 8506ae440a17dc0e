/**
 * A component: something that lives as long as `sup run` and follows the
 * config (a probe, an app channel, the HTTP server). `cli/run.ts`, the one
 * composition root, builds them, hands each the config at start and after
 * every valid reload, and closes them in reverse order on shutdown. Not a
 * job: components run inside sup.
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";

/** A part of a running sup that follows the config. */
export interface Component {
  /** Called with the config at start and after every valid reload. */
  apply(config: ResolvedConfig): void | Promise<void>;
  /** Called once on shutdown, before the jobs are stopped. */
  close(): void | Promise<void>;
}
