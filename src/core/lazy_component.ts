/**
 * A component whose module is imported only once a config needs it: what a
 * config does not use (mail, listeners, metrics, MQTT, the panel) costs no
 * memory and no start-up time.
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";
import type { Component } from "./component.ts";

/**
 * A component that imports its code (`load`) the first time `needed(config)`
 * is true, then follows every later config (including ones that no longer
 * need it, so it can switch itself off).
 */
export function lazyComponent(
  needed: (config: ResolvedConfig) => boolean,
  load: () => Promise<Component>,
): Component {
  let loaded: Component | null = null;
  let loading: Promise<Component> | null = null;
  return {
    async apply(config) {
      if (!loaded && !needed(config)) return;
      loaded ??= await (loading ??= load());
      await loaded.apply(config);
    },
    async close() {
      const component = loaded ?? (loading ? await loading.catch(() => null) : null);
      await component?.close();
    },
  };
}
