import { deepStrictEqual } from "node:assert/strict";
import { resolvedConfig } from "../testing/resolved_job.ts";
import { formatConfig } from "./print_config.ts";
import { listenerLines } from "./print_listeners.ts";
import { expandOn } from "../config/listeners_section.ts";

Deno.test("sup check shows listeners: functions and plugins by name, built-ins with options", () => {
  const config = resolvedConfig([]);
  deepStrictEqual(listenerLines(config), []);
  config.listeners = [
    {
      type: "builtin",
      kind: "httpok",
      name: "httpok",
      options: { url: "http://127.0.0.1/", intervalMs: 60_000, jobs: ["web"], coreDir: null },
      timeoutMs: 10_000,
      queueSize: 1000,
    },
    {
      type: "function",
      name: "alertOps",
      on: expandOn(["*"]),
      jobs: null,
      timeoutMs: 10_000,
      queueSize: 1000,
      handle: () => {},
    },
    {
      type: "function",
      name: "front",
      on: ["job.exited", "job.fatal"],
      jobs: ["group:front"],
      timeoutMs: 2_000,
      queueSize: 50,
      handle: () => {},
    },
    { type: "plugin", name: "kiosk", setup: () => {}, timeoutMs: 10_000, queueSize: 1000 },
  ];
  deepStrictEqual(listenerLines(config), [
    "",
    "listeners (4)",
    "  httpok             httpok: url http://127.0.0.1/, interval 1m, jobs web",
    "  alertOps           function on every event; timeout 10s, queue 1000",
    "  front              function on job.exited, job.fatal; jobs group:front; timeout 2s, queue 50",
    '  kiosk              plugin (actions as "plugin:kiosk"); timeout 10s, queue 1000',
  ]);
  deepStrictEqual(formatConfig(config).split("\n").slice(-6), listenerLines(config));
});
