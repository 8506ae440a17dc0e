import { deepStrictEqual } from "node:assert/strict";
import { parseAccounts } from "./accounts.ts";
import { formatIssue } from "./config_error.ts";
import { httpok, memmon } from "./listener_factories.ts";
import type { ResolvedBuiltinListener } from "./resolved_listeners.ts";
import { validateConfig } from "./validate.ts";

const accounts = parseAccounts("root:x:0:0:root:/root:/bin/bash\n", "root:x:0:\n");

async function read(listeners: unknown[]) {
  const result = await validateConfig({
    jobs: {
      web: { cmd: "node web.js", groups: ["front"] },
      api: { cmd: "node api.js", groups: ["front"] },
      db: { cmd: "postgres" },
    },
    listeners,
  }, { source: "/srv/app/sup.config.ts", hostname: "h", accounts });
  if (!result.ok) return { problems: result.issues.map(formatIssue), resolved: [] };
  return { problems: [], resolved: result.config.listeners as ResolvedBuiltinListener[] };
}

Deno.test("httpok({...}) resolves with superlance's defaults", async () => {
  const { problems, resolved } = await read([
    httpok({ url: "http://127.0.0.1:8080/", jobs: "web" }),
  ]);
  deepStrictEqual(problems, []);
  deepStrictEqual([resolved[0].kind, resolved[0].name], ["httpok", "httpok"]);
  deepStrictEqual(resolved[0].options, {
    url: "http://127.0.0.1:8080/",
    jobs: ["web"],
    timeoutMs: 10_000,
    status: [200],
    body: null,
    headers: {},
    eager: true,
    coreDir: null,
    gcore: ["gcore", "-o"],
    notify: true,
    intervalMs: 60_000,
  });
});

Deno.test("httpok options, written as plain data (TOML/JSON), resolve", async () => {
  const { problems, resolved } = await read([{
    kind: "httpok",
    name: "shop",
    url: "https://shop.test/health",
    any: true,
    timeout: "2s",
    status: [200, 204],
    body: "ok",
    eager: false,
    coreDir: "cores",
    gcore: "/usr/bin/gcore -o",
    notify: false,
    interval: "5s",
  }]);
  deepStrictEqual(problems, []);
  deepStrictEqual(resolved[0].name, "shop");
  deepStrictEqual(resolved[0].options, {
    url: "https://shop.test/health",
    jobs: ["*"],
    timeoutMs: 2000,
    status: [200, 204],
    body: "ok",
    headers: {},
    eager: false,
    coreDir: "/srv/app/cores",
    gcore: ["/usr/bin/gcore", "-o"],
    notify: false,
    intervalMs: 5000,
  });
});

Deno.test("bad httpok options are named with their path", async () => {
  deepStrictEqual(
    (await read([{ kind: "httpok", url: "127.0.0.1:80", jobs: ["wbe"], tiemout: 5 }])).problems,
    [
      'listeners[0].tiemout: unknown option (did you mean "timeout"?)',
      'listeners[0].jobs[0]: unknown job "wbe" (did you mean "web"?) (a selector is a job\'s name, "group:<name>" or "*")',
      'listeners[0].url: must be an http:// or https:// URL, got "127.0.0.1:80" (e.g. "http://127.0.0.1:8080/healthz")',
    ],
  );
  deepStrictEqual((await read([{ kind: "httpok", url: "http://a/" }])).problems, [
    'listeners[0]: names no jobs to restart: give jobs: ["web"] (or "group:x", "*") or any: true',
  ]);
});

Deno.test("memmon({...}) resolves limits by selector and its defaults", async () => {
  const { problems, resolved } = await read([
    memmon({ limits: { web: "200MB", "group:front": "300MB", "*": "1GB" } }),
    { kind: "memmon", name: "leaks", limits: { db: 1024 }, cumulative: true, uptimeLimit: "1h" },
  ]);
  deepStrictEqual(problems, []);
  deepStrictEqual(resolved.map((r) => [r.name, r.options]), [
    ["memmon", {
      limits: [
        { selector: "web", bytes: 200 * 1024 ** 2 },
        { selector: "group:front", bytes: 300 * 1024 ** 2 },
        { selector: "*", bytes: 1024 ** 3 },
      ],
      cumulative: false,
      intervalMs: 60_000,
      notify: true,
      uptimeLimitMs: null,
    }],
    ["leaks", {
      limits: [{ selector: "db", bytes: 1024 }],
      cumulative: true,
      intervalMs: 60_000,
      notify: true,
      uptimeLimitMs: 3_600_000,
    }],
  ]);
});

Deno.test("bad memmon options are named with their path", async () => {
  deepStrictEqual(
    (await read([{ kind: "memmon", limits: { "group:frnt": "1XB", web: 0 } }])).problems,
    [
      'listeners[0].limits."group:frnt": "1XB" is not a size (expected e.g. "512MB")',
      'listeners[0].limits."group:frnt": unknown group "frnt" (did you mean "group:front"?)',
      "listeners[0].limits.web: must be more than 0, got 0",
    ],
  );
  deepStrictEqual((await read([{ kind: "memmon" }])).problems, [
    'listeners[0].limits: missing (expected sizes by job selector, e.g. { web: "200MB", "group:workers": "500MB", "*": "1GB" })',
  ]);
});
