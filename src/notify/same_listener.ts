/**
 * When a reload keeps a running listener: its entry in the new config is
 * the same (a built-in with equal options, the very same function or
 * setup, the same bounds). Anything else is closed and started anew.
 *
 * @module
 */

import type { ResolvedListener } from "../config/resolved_listeners.ts";

/**
 * True when `b` is the same listener as the running `a`: a built-in with
 * equal options, the very same function or setup, the same bounds.
 */
export function sameListener(a: ResolvedListener, b: ResolvedListener): boolean {
  if (a.type !== b.type || a.timeoutMs !== b.timeoutMs || a.queueSize !== b.queueSize) return false;
  switch (a.type) {
    case "builtin":
      return b.type === "builtin" && a.kind === b.kind &&
        JSON.stringify(a.options) === JSON.stringify(b.options);
    case "function":
      return b.type === "function" && a.handle === b.handle &&
        a.on.join() === b.on.join() && JSON.stringify(a.jobs) === JSON.stringify(b.jobs);
    case "plugin":
      return b.type === "plugin" && a.setup === b.setup;
  }
}
