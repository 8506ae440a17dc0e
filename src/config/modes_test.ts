import { deepStrictEqual } from "node:assert/strict";
import { applyModes, deepMerge, knownModes } from "./modes.ts";

const config = {
  jobs: {
    web: { cmd: "node web.js", env: { PORT: "80", LOG: "info" }, after: ["db"] },
    db: { cmd: "postgres" },
  },
  app: { screen: 1, title: "lobby" },
  modes: {
    dev: { jobs: { web: { env: { LOG: "debug" }, after: [] } }, app: { title: "dev" } },
    "dev.foo": { app: { title: "foo" } },
    prod: { jobs: { db: { disabled: true } } },
    "@Kiosk-3": { app: { screen: 2 } },
    "@kiosk-3.dev": { app: { title: "kiosk dev" } },
    "@other": { app: { screen: 9 } },
    "@other.staging": {},
  },
};

Deno.test("no mode applies only the body", () => {
  const result = applyModes(config, undefined, "laptop");
  deepStrictEqual(result.ok && result.applied, []);
  deepStrictEqual(result.ok && result.body.app, { screen: 1, title: "lobby" });
  deepStrictEqual(result.ok && "modes" in result.body, false);
});

Deno.test("dev.foo applies dev then dev.foo, objects merge and arrays replace", () => {
  const result = applyModes(config, "dev.foo", "laptop");
  if (!result.ok) throw new Error(result.error);
  deepStrictEqual(result.applied, ["dev", "dev.foo"]);
  deepStrictEqual(result.body.jobs, {
    web: { cmd: "node web.js", env: { PORT: "80", LOG: "debug" }, after: [] },
    db: { cmd: "postgres" },
  });
  deepStrictEqual(result.body.app, { screen: 1, title: "foo" });
});

Deno.test("hostname sections apply by themselves, case-insensitively, after named modes", () => {
  const plain = applyModes(config, undefined, "kiosk-3");
  deepStrictEqual(plain.ok && plain.applied, ["@Kiosk-3"]);
  deepStrictEqual(plain.ok && plain.body.app, { screen: 2, title: "lobby" });

  const dev = applyModes(config, "dev", "KIOSK-3");
  deepStrictEqual(dev.ok && dev.applied, ["dev", "@Kiosk-3", "@kiosk-3.dev"]);
  deepStrictEqual(dev.ok && dev.body.app, { screen: 2, title: "kiosk dev" });

  const foo = applyModes(config, "dev.foo", "kiosk-3");
  deepStrictEqual(foo.ok && foo.applied, ["dev", "dev.foo", "@Kiosk-3", "@kiosk-3.dev"]);
  deepStrictEqual(foo.ok && foo.body.app, { screen: 2, title: "kiosk dev" });
});

Deno.test("a mode only defined for a machine is known, and applies only there", () => {
  const there = applyModes(config, "staging", "other");
  deepStrictEqual(there.ok && there.applied, ["@other", "@other.staging"]);
  const elsewhere = applyModes(config, "staging", "laptop");
  deepStrictEqual(elsewhere.ok && elsewhere.applied, []);
});

Deno.test("an unknown mode is an error listing the known modes", () => {
  deepStrictEqual(applyModes(config, "prdo", "laptop"), {
    ok: false,
    error:
      'Unknown mode "prdo" (known modes: "dev", "dev.foo", "prod", "staging") (did you mean "prod"?)',
  });
  deepStrictEqual(applyModes({ jobs: {} }, "dev", "laptop"), {
    ok: false,
    error: 'Unknown mode "dev" (this config has no modes)',
  });
});

Deno.test("deepMerge does not change its inputs", () => {
  const base = { a: { b: 1, c: [1, 2] } };
  const merged = deepMerge(base, { a: { c: [3] } });
  deepStrictEqual(merged, { a: { b: 1, c: [3] } });
  deepStrictEqual(base, { a: { b: 1, c: [1, 2] } });
  deepStrictEqual(knownModes({ "@h": {}, "@h.x": {}, y: {} }), ["x", "y"]);
});
