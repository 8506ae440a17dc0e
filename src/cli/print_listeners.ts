/**
 * The `listeners` block of `sup check`: one line per listener, functions
 * and plugins by name (their code is not printed), built-ins with their
 * options written with units.
 *
 * @module
 */

import { expandOn } from "../config/listeners_section.ts";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { ResolvedListener } from "../config/resolved_listeners.ts";
import { formatDuration, formatSize } from "../config/units.ts";

const EVERYTHING = expandOn(["*"]).join();

function value(key: string, v: unknown): string {
  if (typeof v === "number" && key.endsWith("Ms")) return formatDuration(v);
  if (typeof v === "number" && key.endsWith("Bytes")) return formatSize(v);
  if (typeof v === "string") return v;
  if (Array.isArray(v) && v.every((item) => typeof item === "string")) return v.join(", ");
  return JSON.stringify(v);
}

function options(opts: Record<string, unknown>): string {
  return Object.entries(opts)
    .filter(([, v]) =>
      v !== null && v !== undefined && v !== false && !(Array.isArray(v) && !v.length)
    )
    .map(([k, v]) => `${k.replace(/(Ms|Bytes)$/, "")} ${value(k, v)}`)
    .join(", ");
}

function describe(listener: ResolvedListener): string {
  const bounds = `timeout ${formatDuration(listener.timeoutMs)}, queue ${listener.queueSize}`;
  switch (listener.type) {
    case "builtin":
      return [listener.kind, options(listener.options)].filter((s) => s !== "").join(": ");
    case "function": {
      const on = listener.on.join() === EVERYTHING ? "every event" : listener.on.join(", ");
      const jobs = listener.jobs === null ? "" : `; jobs ${listener.jobs.join(", ")}`;
      return `function on ${on}${jobs}; ${bounds}`;
    }
    case "plugin":
      return `plugin (actions as "plugin:${listener.name}"); ${bounds}`;
  }
}

/** The lines of the `listeners` block (none when the config has no listeners). */
export function listenerLines(config: ResolvedConfig): string[] {
  if (config.listeners.length === 0) return [];
  return [
    "",
    `listeners (${config.listeners.length})`,
    ...config.listeners.map((l) => `  ${l.name.padEnd(18)} ${describe(l)}`),
  ];
}
