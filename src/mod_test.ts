import { strictEqual } from "node:assert/strict";
import { defineConfig } from "./mod.ts";

Deno.test("defineConfig returns its config unchanged", () => {
  const config = {
    jobs: { db: { cmd: "postgres" }, web: { cmd: "node web.js", after: ["db" as const] } },
  };
  strictEqual(defineConfig(config), config);
});

Deno.test("defineConfig types `after` with the config's own job names", () => {
  defineConfig({
    jobs: {
      db: { cmd: "postgres" },
      // @ts-expect-error: "dbb" is not a job of this config
      web: { cmd: "node web.js", after: ["dbb"] },
    },
  });
  defineConfig({
    jobs: {
      db: { cmd: "postgres" },
      web: { cmd: "node web.js", after: ["db"], maxMemory: "200MB", restart: "on-failure" },
    },
    modes: { dev: { jobs: { web: { env: { DEBUG: "1" } } } } },
  });
});
