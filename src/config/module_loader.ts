/**
 * Imports a config module and the local modules it imports, binding the
 * bare specifiers "sup" and "sup/client" to this program's own modules.
 *
 * Why: a config says `import { defineConfig } from "sup"`. Under `deno run`
 * in this repository an import map maps "sup", but the compiled binary
 * (`deno compile`) must load configs anywhere on disk, next to a user's own
 * deno.json (or none), and Deno would resolve "sup" in the user's file
 * through whatever import map applies there, not ours. So sup never lets
 * Deno resolve it:
 *
 * 1. Starting at the config file, walk its graph of local script imports
 *    (.ts, .mts, .js, .mjs), reading each file once.
 * 2. Copy each script into a private temp dir with its specifiers rewritten:
 *    "sup" → the absolute URL of our `src/mod.ts`, "sup/client" → our
 *    `src/client.ts` (the very modules this program runs, embedded in the
 *    binary), a relative script → its rewritten copy, any other relative file
 *    (.json...) → a verbatim copy; `import.meta` → the original file's
 *    values, so `import.meta.dirname` still means the config's folder.
 *    `node:` built-ins and `npm:` packages stay (under `deno run` Deno
 *    fetches and caches the packages, e.g. for plugins; the compiled binary
 *    cannot download them); anything else (a bare "lodash", jsr:, http:) is
 *    an error naming the file and the specifier.
 * 3. `import()` the copy of the config by its absolute file URL; Deno
 *    transpiles the TypeScript (compiled binaries too, since Deno 2.9).
 * 4. Delete the temp dir; the modules are in memory by then. A non-literal
 *    `import(x)` run later would resolve next to the (deleted) copy, so only
 *    literal specifiers are supported.
 *
 * Every load uses a new temp dir, so every module URL is new and Deno's
 * module cache never hands back a stale copy: hot reload sees edits to the
 * config and to every file it imports (each load keeps its modules in memory;
 * reloads are rare, so the cost is small).
 *
 * @module
 */

import { basename, dirname, extname, join, resolve } from "node:path";
import { fromFileUrl, toFileUrl } from "./file_url.ts";
import type { ConfigIssue } from "./config_error.ts";
import { scanImports } from "./import_scanner.ts";

/** Extensions of modules whose imports are rewritten. */
export const SCRIPT_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

/** What a module graph import gives: the module's exports, or the problems. */
export type ModuleLoadResult =
  | { ok: true; exports: Record<string, unknown>; files: string[]; fingerprint: string }
  | { ok: false; issues: ConfigIssue[]; files: string[]; cause?: unknown };

/** Bare specifiers sup serves itself, each to an absolute module URL. */
export type Bindings = Record<string, string>;

/** The default bindings: "sup" and "sup/client" to this program's own modules. */
export function ownBindings(): Bindings {
  return {
    "sup": new URL("../mod.ts", import.meta.url).href,
    "sup/client": new URL("../client.ts", import.meta.url).href,
  };
}

function isLocal(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") ||
    specifier.startsWith("/") || specifier.startsWith("file:");
}

function metaObject(path: string, typescript: boolean): string {
  const url = JSON.stringify(toFileUrl(path));
  const param = typescript ? "s: string" : "s";
  return `({ url: ${url}, filename: ${JSON.stringify(path)}, dirname: ${
    JSON.stringify(dirname(path))
  }, main: false, resolve: (${param}) => new URL(s, ${url}).href })`;
}

/** Imports the module at absolute `path` with its local imports rewritten (see the module doc). */
export async function importModuleGraph(
  path: string,
  bindings: Bindings = ownBindings(),
): Promise<ModuleLoadResult> {
  const tmp = await Deno.makeTempDir({ prefix: "sup-config-" });
  const copies = new Map<string, string>();
  const files: string[] = [];
  const issues: ConfigIssue[] = [];
  const read: Uint8Array[] = [];
  const npm: string[] = [];

  const copy = async (original: string, importer?: { file: string; specifier: string }) => {
    const known = copies.get(original);
    if (known) return known;
    const target = join(tmp, `${copies.size}_${basename(original)}`);
    copies.set(original, target);
    const isScript = SCRIPT_EXTENSIONS.includes(extname(original).toLowerCase());
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(original);
    } catch (error) {
      const why = error instanceof Deno.errors.NotFound ? "file not found" : String(error);
      issues.push(
        importer
          ? {
            path: importer.file,
            message: `imports ${JSON.stringify(importer.specifier)}: ${why} ("${original}")`,
          }
          : { path: "", message: `Cannot read config "${original}": ${why}` },
      );
      return target;
    }
    files.push(original);
    read.push(new TextEncoder().encode(`${original}\0`), bytes);
    if (!isScript) {
      await Deno.writeFile(target, bytes);
      return target;
    }
    const source = new TextDecoder().decode(bytes);
    let out = "";
    let last = 0;
    for (const site of scanImports(source)) {
      let replacement: string;
      if (site.kind === "meta") {
        replacement = metaObject(original, /\.m?ts$/i.test(original));
      } else if (Object.hasOwn(bindings, site.specifier)) {
        replacement = JSON.stringify(bindings[site.specifier]);
      } else if (site.specifier.startsWith("node:")) {
        continue;
      } else if (site.specifier.startsWith("npm:")) {
        npm.push(site.specifier);
        continue;
      } else if (isLocal(site.specifier)) {
        const dependency = site.specifier.startsWith("file:")
          ? fromFileUrl(site.specifier)
          : resolve(dirname(original), site.specifier);
        const copied = await copy(dependency, { file: original, specifier: site.specifier });
        replacement = JSON.stringify(toFileUrl(copied));
      } else {
        issues.push({
          path: original,
          message: `imports ${
            JSON.stringify(site.specifier)
          }, which sup cannot load (a config may import ${
            Object.keys(bindings).map((b) => `"${b}"`).join(", ")
          }, "node:" built-ins, "npm:" packages and local files)`,
        });
        continue;
      }
      out += source.slice(last, site.start) + replacement;
      last = site.end;
    }
    out += source.slice(last);
    await Deno.writeTextFile(target, out);
    return target;
  };

  try {
    const real = await Deno.realPath(path).catch(() => path);
    const root = await copy(real);
    if (issues.length > 0) return { ok: false, issues, files };
    try {
      const exports = await import(toFileUrl(root)) as Record<string, unknown>;
      return { ok: true, exports, files, fingerprint: await fingerprintOf(read) };
    } catch (error) {
      const message = restorePaths(error instanceof Error ? error.message : String(error), copies) +
        npmAdvice(npm);
      // The stack (shown under -v) names the original files too; lines are
      // unchanged by the rewrite (replacements hold no newlines).
      if (error instanceof Error && typeof error.stack === "string") {
        try {
          error.stack = restorePaths(error.stack, copies);
        } catch {
          // a frozen error keeps its stack
        }
      }
      return {
        ok: false,
        issues: [{ path: "", message: `Cannot load config "${path}": ${message}` }],
        files,
        cause: error,
      };
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/** Replaces temp-copy paths and URLs in an error message by the originals. */
function restorePaths(message: string, copies: Map<string, string>): string {
  const pairs = [...copies].flatMap(([original, copy]) => [
    [toFileUrl(copy), original],
    [copy, original],
  ]).sort((a, b) => b[0].length - a[0].length);
  for (const [from, to] of pairs) message = message.split(from).join(to);
  return message;
}

/**
 * A digest of the exact bytes a load read, file by file (paths included):
 * two loads with equal fingerprints evaluated the same sources.
 */
export async function fingerprintOf(parts: readonly Uint8Array[]): Promise<string> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * What to do when a config importing npm packages fails to load in the
 * compiled binary, which cannot fetch packages (`deno run` can).
 */
function npmAdvice(npm: readonly string[]): string {
  if (npm.length === 0 || !Deno.build.standalone) return "";
  return ` (the config imports ${npm.map((s) => JSON.stringify(s)).join(", ")}: the compiled sup ` +
    `cannot download npm packages; run sup with "deno run -A main.ts run ..." instead, ` +
    `or copy the package's code next to the config)`;
}
