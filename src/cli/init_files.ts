/**
 * What `sup init` writes: a commented starter config and a deno.json whose
 * import map points "sup" at the types module.
 *
 * @module
 */

import { TYPES_FILE } from "./types_module.ts";

/** deno.json for a new config folder. */
export const INIT_DENO_JSON = JSON.stringify({ imports: { sup: `./${TYPES_FILE}` } }, null, 2) +
  "\n";

/** A starter config.ts, commented. */
export const INIT_CONFIG = `// sup config: the programs sup starts and keeps alive.
// Check it with "sup check", run it with "sup run". Hover any option in your
// editor for its documentation (types come from ./${TYPES_FILE}, written by
// "sup init" and refreshed by "sup types").
import { defineConfig } from "sup";

export default defineConfig({
  jobs: {
    // A job is a program sup starts and restarts. "cmd" is split on spaces
    // (double quotes group words; no $VARS or globs unless shell: true).
    web: {
      cmd: "python3 -m http.server 8000",
      // Restart policy: "always" (default), "on-failure" or "never".
      // Exit code 33 always means "do not restart me".
      restart: "always",
      // Restart when memory (with children) passes this size (1MB = 1024 KB).
      maxMemory: "200MB",
      // Environment variables, merged over sup's own.
      env: { PYTHONUNBUFFERED: "1" },
    },

    // A job that waits for another: starts once "web" is running.
    // ping: { cmd: ["sh", "-c", "while sleep 5; do curl -s localhost:8000 >/dev/null; done"], after: ["web"] },
  },

  // Where sup's panel and channels listen (127.0.0.1 unless set).
  // network: { http: { port: 8888 } },

  // sup's own log: level "debug" | "info" | "warning" | "error", optional file.
  logging: { level: "info" },

  // Overrides per mode ("sup run config.ts dev") and per machine ("@hostname").
  modes: {
    dev: { logging: { level: "debug" } },
  },
});
`;
