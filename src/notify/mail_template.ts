/**
 * ampm's subject templating, for mail subjects, bodies and addresses:
 * `{hostname}`, `{job}`, `{mode}`, `{date}`, values a caller adds
 * (`{count}`), and dotted paths into the running config (`{app.site}`,
 * `{network.http.port}`). A placeholder that names nothing, or an object,
 * stays as written, so text that happens to hold braces (a job's stderr, JSON)
 * passes through.
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";

/** Values a template may name besides the config's paths. */
export type TemplateValues = Record<string, string | number | null | undefined>;

/** The mode a config runs in, for `{mode}`: the last named mode applied, or "default". */
export function modeName(config: Pick<ResolvedConfig, "modes">): string {
  return config.modes.filter((m) => !m.startsWith("@")).at(-1) ?? "default";
}

/** Local time as `2026-12-02 14:03:05`. */
export function localDateTime(at: number): string {
  const d = new Date(at);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${
    two(d.getMinutes())
  }:${two(d.getSeconds())}`;
}

function lookup(root: unknown, path: string): unknown {
  let current = root;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, part)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * Fills `text`'s placeholders from `values` (which win), then `hostname`,
 * `mode` and `date`, then paths into `config`.
 */
export function fillTemplate(
  text: string,
  values: TemplateValues,
  config: ResolvedConfig | null,
  hostname: string = safeHostname(),
  now: number = Date.now(),
): string {
  if (!text.includes("{")) return text;
  return text.replace(/\{([A-Za-z_][\w.-]*)\}/g, (whole, name: string) => {
    const own = values[name];
    if (own !== undefined && own !== null) return String(own);
    if (name === "hostname") return hostname;
    if (name === "date") return localDateTime(now);
    if (name === "mode" && config) return modeName(config);
    const found = config ? lookup(config, name) : undefined;
    return typeof found === "string" || typeof found === "number" || typeof found === "boolean"
      ? String(found)
      : whole;
  });
}

/** The machine's hostname, or "localhost" where it cannot be read. */
export function safeHostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "localhost";
  }
}
