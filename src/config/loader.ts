/**
 * Loads a config file (.ts, .mts, .js, .mjs, .toml, .json), applies its
 * modes and resolves it. Callable again and again in one process (hot
 * reload): each call reads the files afresh.
 *
 * @module
 */

import { extname, resolve } from "node:path";
import { parse as parseToml } from "smol-toml";
import type { Accounts } from "./accounts.ts";
import { ConfigError } from "./config_error.ts";
import { fingerprintOf, importModuleGraph, SCRIPT_EXTENSIONS } from "./module_loader.ts";
import type { ResolvedConfig } from "./resolved.ts";
import { validateConfig } from "./validate.ts";

/** Config files looked for, in order, when none is named. */
export const DEFAULT_CONFIG_FILES = ["sup.config.ts", "config.ts"];

/** Options for `loadConfig`. */
export interface LoadOptions {
  /** Hostname for `@<hostname>` mode sections. @default Deno.hostname() */
  hostname?: string;
  /** Directory relative config paths are resolved from. @default Deno.cwd() */
  cwd?: string;
  /** User and group tables. @default /etc/passwd and /etc/group */
  accounts?: Accounts;
}

/** A loaded config. */
export interface LoadedConfig {
  /** The active config, resolved. */
  config: ResolvedConfig;
  /** Every local file the config read (itself and its imports), absolute: what to watch. */
  files: string[];
  /** Every config file of a comma-separated list, absolute; the first is the active one. */
  configs: string[];
  /** What the config file exported (or parsed to), before modes and defaults. */
  raw: unknown;
  /** A digest of every byte the load read (see `fingerprintOf`): equal for unchanged files. */
  fingerprint: string;
}

/** The absolute paths of a comma-separated list of config files. */
export function splitConfigList(pathOrList: string, cwd = Deno.cwd()): string[] {
  return pathOrList.split(",").map((p) => p.trim()).filter((p) => p !== "")
    .map((p) => resolve(cwd, p));
}

/** The first of `DEFAULT_CONFIG_FILES` present in `cwd`, or null. */
export async function findDefaultConfig(cwd = Deno.cwd()): Promise<string | null> {
  for (const name of DEFAULT_CONFIG_FILES) {
    const path = resolve(cwd, name);
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch {
      // not there: try the next one
    }
  }
  return null;
}

/** Reads what a config file holds (module export or parsed data) and the files it read. Throws `ConfigError`. */
export async function readConfigFile(
  path: string,
): Promise<{ raw: unknown; files: string[]; fingerprint: string }> {
  const ext = extname(path).toLowerCase();
  if (SCRIPT_EXTENSIONS.includes(ext)) {
    const result = await importModuleGraph(path);
    if (!result.ok) {
      throw new ConfigError(result.issues, {
        source: path,
        files: result.files,
        cause: result.cause,
      });
    }
    const raw = result.exports.default ?? result.exports.config;
    if (raw === undefined) {
      throw new ConfigError([{
        path: "",
        message:
          `"${path}" exports no config (write: export default defineConfig({ jobs: {...} }))`,
      }], { source: path, files: result.files });
    }
    return { raw, files: result.files, fingerprint: result.fingerprint };
  }
  if (ext !== ".toml" && ext !== ".json") {
    throw new ConfigError([{
      path: "",
      message:
        `Cannot load "${path}": unknown config type "${ext}" (expected .ts, .mts, .js, .mjs, .toml or .json)`,
    }], { source: path });
  }
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "file not found" : String(error);
    throw new ConfigError([{ path: "", message: `Cannot read config "${path}": ${why}` }], {
      source: path,
      cause: error,
    });
  }
  try {
    const fingerprint = await fingerprintOf([new TextEncoder().encode(`${path}\0${text}`)]);
    return {
      raw: ext === ".toml" ? parseToml(text) : JSON.parse(text),
      files: [path],
      fingerprint,
    };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      [{
        path: "",
        message: `Cannot parse ${ext === ".toml" ? "TOML" : "JSON"} in "${path}": ${why}`,
      }],
      { source: path, files: [path], cause: error },
    );
  }
}

/**
 * Loads the config `pathOrList` (one path, or a comma-separated list whose
 * first file is active), applies `mode` and the machine's sections, and
 * resolves it. Throws `ConfigError` with every problem (its `files` lists
 * what was read, to keep watching).
 */
export async function loadConfig(
  pathOrList: string,
  mode?: string,
  options: LoadOptions = {},
): Promise<LoadedConfig> {
  const configs = splitConfigList(pathOrList, options.cwd);
  if (configs.length === 0) {
    throw new ConfigError([{ path: "", message: "No config file given" }]);
  }
  const source = configs[0];
  const { raw, files, fingerprint } = await readConfigFile(source);
  let result: Awaited<ReturnType<typeof validateConfig>>;
  try {
    result = await validateConfig(raw, {
      source,
      mode,
      hostname: options.hostname,
      accounts: options.accounts,
    });
  } catch (error) {
    // Validation reads the user's objects: a getter or proxy in the config
    // may throw. That is the config's fault, not sup's (the stack under -v).
    const why = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      [{ path: "", message: `Reading the config "${source}" threw an error: ${why}` }],
      { source, files, cause: error },
    );
  }
  if (!result.ok) throw new ConfigError(result.issues, { source, files });
  return { config: result.config, files, configs, raw, fingerprint };
}
