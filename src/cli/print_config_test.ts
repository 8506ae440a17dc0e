import { ok } from "node:assert/strict";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { formatConfig } from "./print_config.ts";

Deno.test("sup check prints options by the names a config uses, not the resolved ones", () => {
  const config = resolvedConfig([
    resolvedJob("web", ["node", "web.js"], {
      backoffInitialMs: 2_000,
      backoffMaxMs: 60_000,
      maxMemoryBytes: 200 * 1024 ** 2,
      bounceMs: 3_600_000,
      uid: 33,
    }),
  ]);
  config.logging.file = "/var/log/sup.log";
  const text = formatConfig(config);
  ok(/^ {4}backoff {12}initial 2s, max 1m$/m.test(text), text);
  ok(/^ {4}maxMemory {10}200MB$/m.test(text), text);
  ok(/^ {4}bounce {13}1h$/m.test(text), text);
  ok(/^ {4}user {15}33$/m.test(text), text);
  ok(text.includes("maxSize 10MB"), text);
  for (
    const resolvedName of ["backoffInitial", "backoffMax", "maxMemoryBytes", "uid", "max 10MB"]
  ) {
    ok(!text.includes(resolvedName), `"${resolvedName}" printed:\n${text}`);
  }
});
