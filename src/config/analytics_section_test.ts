import { deepStrictEqual, equal } from "node:assert/strict";
import { parseAccounts } from "./accounts.ts";
import { formatIssue } from "./config_error.ts";
import type { ResolvedConfig } from "./resolved.ts";
import { validateConfig } from "./validate.ts";

const accounts = parseAccounts("root:x:0:0:root:/root:/bin/bash\n", "root:x:0:\n");

async function resolve(
  input: Record<string, unknown>,
  mode?: string,
): Promise<ResolvedConfig | string[]> {
  const result = await validateConfig({ jobs: { web: { cmd: "node web.js" } }, ...input }, {
    source: "/srv/kiosk/sup.json",
    mode,
    hostname: "kiosk-3",
    accounts,
  });
  return result.ok ? result.config : result.issues.map(formatIssue);
}

Deno.test("logging.events and analytics are off unless set", async () => {
  const config = await resolve({}) as ResolvedConfig;
  equal(config.logging.events, null);
  equal(config.analytics, null);
});

Deno.test("logging.events resolves against the config's folder; a mode may turn it off", async () => {
  const input = {
    logging: { events: { file: "logs/event-{date}.tsv" } },
    modes: { quiet: { logging: { events: false } } },
  };
  const config = await resolve(input) as ResolvedConfig;
  deepStrictEqual(config.logging.events, { file: "/srv/kiosk/logs/event-{date}.tsv", jobs: true });
  equal((await resolve(input, "quiet") as ResolvedConfig).logging.events, null);
  const appOnly = await resolve({ logging: { events: { file: "/var/log/ev.tsv", jobs: false } } });
  deepStrictEqual((appOnly as ResolvedConfig).logging.events, {
    file: "/var/log/ev.tsv",
    jobs: false,
  });
});

Deno.test("analytics resolves with GA4's endpoint, a 10 s batch and the secret as written", async () => {
  const config = await resolve({
    analytics: { measurementId: "G-ABC123XYZ9", apiSecret: { env: "GA_API_SECRET" } },
  }) as ResolvedConfig;
  deepStrictEqual(config.analytics, {
    measurementId: "G-ABC123XYZ9",
    apiSecret: { env: "GA_API_SECRET" },
    endpoint: "https://www.google-analytics.com/mp/collect",
    clientId: null,
    intervalMs: 10_000,
  });
  const custom = await resolve({
    analytics: {
      measurementId: "G-ABC123XYZ9",
      apiSecret: "s3cret",
      endpoint: "http://127.0.0.1:9000/mp/collect",
      clientId: "kiosk-3",
      interval: "1s",
    },
  }) as ResolvedConfig;
  deepStrictEqual(custom.analytics, {
    measurementId: "G-ABC123XYZ9",
    apiSecret: "s3cret",
    endpoint: "http://127.0.0.1:9000/mp/collect",
    clientId: "kiosk-3",
    intervalMs: 1_000,
  });
});

Deno.test("bad logging.events and analytics are reported with their paths", async () => {
  deepStrictEqual(
    await resolve({
      logging: { events: { path: "x.tsv" } },
      analytics: {
        measurementId: "UA-1234-5",
        apiSecret: { env: "GA SECRET" },
        endpoint: "ftp://example.com",
        intervall: "5s",
      },
    }),
    [
      "logging.events.path: unknown key",
      'logging.events.file: is required (e.g. "logs/event-{date}.tsv")',
      'analytics.intervall: unknown key (did you mean "interval"?)',
      'analytics.measurementId: "UA-1234-5" is not a GA4 measurement ID (expected e.g. "G-ABC123XYZ9")',
      'analytics.apiSecret: "GA SECRET" is not an environment variable name',
      'analytics.endpoint: "ftp://example.com" is not an http:// or https:// URL',
    ],
  );
  deepStrictEqual(
    await resolve({ logging: { events: "events.tsv" }, analytics: { apiSecret: 3 } }),
    [
      'logging.events: must be an object like { file: "logs/event-{date}.tsv" } or false, got "events.tsv"',
      'analytics.measurementId: is required (the GA4 stream\'s, e.g. "G-ABC123XYZ9")',
      'analytics.apiSecret: must be a string or { env: "NAME" }, got 3',
    ],
  );
});
