import { deepStrictEqual } from "node:assert/strict";
import { parseAccounts } from "./accounts.ts";
import { formatIssue } from "./config_error.ts";
import { DEFAULT_WEBHOOK_EVENTS } from "./listener_webhook.ts";
import type { ResolvedConfig } from "./resolved.ts";
import { validateConfig } from "./validate.ts";

const accounts = parseAccounts("root:x:0:0:root:/root:/bin/bash\n", "root:x:0:\n");

async function resolve(listeners: unknown[]): Promise<ResolvedConfig | string[]> {
  const result = await validateConfig({
    jobs: { web: { cmd: "node web.js", groups: ["front"] }, db: { cmd: "postgres" } },
    listeners,
  }, { source: "/srv/sup.json", hostname: "kiosk-3", accounts });
  return result.ok ? result.config : result.issues.map(formatIssue);
}

Deno.test("a webhook descriptor resolves with its defaults (TOML/JSON configs write it as data)", async () => {
  const config = await resolve([{
    kind: "webhook",
    url: "https://hooks.slack.com/services/T/B/x",
  }]);
  deepStrictEqual((config as ResolvedConfig).listeners, [{
    type: "builtin",
    kind: "webhook",
    name: "webhook",
    options: {
      url: "https://hooks.slack.com/services/T/B/x",
      on: [...DEFAULT_WEBHOOK_EVENTS],
      jobs: ["*"],
      intervalMs: null,
      preset: null,
      headers: {},
    },
    timeoutMs: 10_000,
    queueSize: 1000,
  }]);
  const full = await resolve([{
    kind: "webhook",
    name: "discord",
    url: { env: "DISCORD_HOOK" },
    on: ["job.fatal", "health.*"],
    jobs: "group:front",
    interval: "30s",
    preset: "discord",
    headers: { "X-Token": { env: "TOKEN" } },
  }]) as ResolvedConfig;
  deepStrictEqual(full.listeners[0].type === "builtin" && full.listeners[0].options, {
    url: { env: "DISCORD_HOOK" },
    on: ["job.fatal", "health.failed", "health.recovered"],
    jobs: ["group:front"],
    intervalMs: 30_000,
    preset: "discord",
    headers: { "X-Token": { env: "TOKEN" } },
  });
});

Deno.test("bad webhook options are reported with their paths and a did-you-mean", async () => {
  deepStrictEqual(
    await resolve([{
      kind: "webhook",
      url: "hooks.slack.com/services/x",
      on: ["job.exit", 3],
      jobs: ["wbe", "group:back"],
      preset: "teams",
      headers: { "Bad Header": "x", Authorization: { env: "1TOKEN" } },
      intervall: "5s",
    }]),
    [
      'listeners[0].intervall: unknown key (did you mean "interval"?)',
      'listeners[0].url: "hooks.slack.com/services/x" is not an http:// or https:// URL',
      'listeners[0].jobs[0]: unknown job "wbe" (did you mean "web"?) ' +
      `(a selector is a job's name, "group:<name>" or "*")`,
      'listeners[0].jobs[1]: unknown group "back"',
      'listeners[0].on[0]: "job.exit" is not an event type (did you mean "job.exited"?) (e.g. "job.fatal", "health.*" or "*")',
      "listeners[0].on[1]: must be an event type, got 3",
      'listeners[0].preset: "teams" is not a webhook preset (expected "slack", "discord" or "json")',
      'listeners[0].headers."Bad Header": is not an HTTP header name',
      'listeners[0].headers.Authorization: "1TOKEN" is not an environment variable name',
    ],
  );
  deepStrictEqual(await resolve([{ kind: "webhook" }]), [
    'listeners[0].url: is required (a string, or { env: "NAME" } to read it from the environment)',
  ]);
  deepStrictEqual(await resolve([{ kind: "webhok", url: "https://x" }]), [
    'listeners[0].kind: "webhok" is not a built-in listener (known: "webhook", "httpok", "memmon", "crashmail", "crashmailbatch", "fatalmailbatch" or "crashsms") (did you mean "webhook"?)',
  ]);
});
