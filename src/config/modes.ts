/**
 * Modes (ampm's): a config's `modes` holds override sections applied over
 * its body. `sup run config.ts dev.foo` applies, in order:
 *
 * 1. the body (everything outside `modes`),
 * 2. `dev`, then `dev.foo` (each prefix that has a section),
 * 3. `@<hostname>`, then `@<hostname>.dev`, then `@<hostname>.dev.foo`
 *    (machine sections, applied by themselves when the hostname matches,
 *    case-insensitively; the most specific, so last).
 *
 * Objects merge deeply; arrays and scalars replace.
 *
 * @module
 */

import { didYouMean } from "./suggest.ts";

/** The merged body and the sections applied, or why the mode cannot be applied. */
export type ModesResult =
  | { ok: true; body: Record<string, unknown>; applied: string[] }
  | { ok: false; error: string };

/** True for `{...}` objects (not arrays, functions, dates or null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Merges `over` into a copy of `base`: plain objects recursively, anything else replaces. */
export function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

/** Mode names a user may select: every section name not starting with "@", and the mode part of `@host.mode` sections. */
export function knownModes(modes: Record<string, unknown>): string[] {
  const names = new Set<string>();
  for (const key of Object.keys(modes)) {
    if (!key.startsWith("@")) names.add(key);
    else if (key.includes(".")) names.add(key.slice(key.indexOf(".") + 1));
  }
  return [...names].sort();
}

/** Every prefix of a dotted mode name: "dev.foo" → ["dev", "dev.foo"]. */
function prefixes(mode: string): string[] {
  const parts = mode.split(".");
  return parts.map((_, i) => parts.slice(0, i + 1).join("."));
}

/**
 * Applies `mode` (optional) and the machine sections for `hostname` to a
 * raw config. Sections that are not plain objects are skipped (validation
 * reports them). An unknown mode name is an error listing the known ones.
 */
export function applyModes(
  config: Record<string, unknown>,
  mode: string | undefined,
  hostname: string,
): ModesResult {
  const { modes: rawModes, ...body } = config;
  const modes = isPlainObject(rawModes) ? rawModes : {};
  const host = hostname.toLowerCase();
  const hostKeys = new Map<string, string>();
  for (const key of Object.keys(modes)) {
    if (key.startsWith("@")) hostKeys.set(key.toLowerCase(), key);
  }
  const chain = mode === undefined || mode === "" ? [] : prefixes(mode);

  if (mode !== undefined && mode !== "") {
    const known = knownModes(modes);
    if (!known.includes(mode)) {
      const list = known.length === 0
        ? "this config has no modes"
        : `known modes: ${known.map((m) => `"${m}"`).join(", ")}`;
      return { ok: false, error: `Unknown mode "${mode}" (${list})${didYouMean(mode, known)}` };
    }
  }

  const order = [
    ...chain.filter((name) => Object.hasOwn(modes, name)),
    ...["", ...chain.map((name) => `.${name}`)]
      .map((suffix) => hostKeys.get(`@${host}${suffix}`))
      .filter((key): key is string => key !== undefined),
  ];
  let merged: Record<string, unknown> = body;
  const applied: string[] = [];
  for (const name of order) {
    const section = modes[name];
    if (!isPlainObject(section)) continue;
    merged = deepMerge(merged, section);
    applied.push(name);
  }
  return { ok: true, body: merged, applied };
}
