/**
 * Loads a config in a child process of sup, for hot reloads. Every load of a
 * config module imports it afresh from new URLs, and neither V8 nor Deno ever
 * frees a module once evaluated: reloading in sup's own process kept about
 * 40 KB per reload (12 MB after 300). A worker does not help (the process
 * keeps its caches: 26 KB per reload measured). A child process takes all it
 * loaded with it when it exits; only the resolved config, plain JSON, comes
 * back on its stdout.
 *
 * The child is sup itself (`sup load-config <config> [mode]`, a command
 * hidden from the help), started by the command the caller gives.
 *
 * Functions cannot cross as JSON: a config whose listeners are functions or
 * plugins is validated in the child (a broken edit never reaches sup), which
 * answers how many it has; then either the files are byte for byte those
 * the running config was loaded from (a SIGHUP, an editor saving unchanged
 * text), and the running functions are kept, or sup loads the config in its
 * own process to get the new functions (that load stays in sup's memory,
 * about 40 KB a reload: the price of function listeners).
 *
 * @module
 */

import { ConfigError, type ConfigIssue } from "./config_error.ts";
import { loadConfig, type LoadedConfig } from "./loader.ts";
import type { ResolvedConfig } from "./resolved.ts";
import type { ResolvedListener } from "./resolved_listeners.ts";

/** What `sup load-config` prints, as the last line of its stdout. */
export type ChildAnswer =
  | {
    kind: "loaded";
    /** Without its functions (JSON drops them). */
    config: ResolvedConfig;
    files: string[];
    configs: string[];
    fingerprint: string;
    /** Listeners that are functions or plugins (which did not come across). */
    functions: number;
  }
  | { kind: "invalid"; issues: ConfigIssue[]; source: string | null; files: string[] };

/** A loaded config without what the file exported (which stayed in the child). */
export type ChildLoadedConfig = Omit<LoadedConfig, "raw">;

/** Answers a load in the child: the config, or the `ConfigError`'s parts. Other errors throw. */
export async function childAnswer(pathOrList: string, mode?: string): Promise<ChildAnswer> {
  try {
    const { config, files, configs, fingerprint } = await loadConfig(pathOrList, mode);
    const functions = config.listeners.filter((l) => l.type !== "builtin").length;
    return { kind: "loaded", config, files, configs, fingerprint, functions };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      kind: "invalid",
      issues: error.issues,
      source: error.source ?? null,
      files: error.files,
    };
  }
}

/** How long a child may take to load a config. */
const CHILD_TIMEOUT_MS = 60_000;

/** The running config and its fingerprint, whose functions a reload of unchanged files keeps. */
export interface RunningConfig {
  config: ResolvedConfig;
  fingerprint: string | null;
}

/**
 * Loads `pathOrList` with `mode` as `loadConfig` does, in a child started
 * as `[...self, "load-config", "--", pathOrList, mode?]`. Throws
 * `ConfigError` as `loadConfig` does. When the child cannot run or gives no
 * answer, loads in this process instead (`onFallback` says why). A config
 * with function listeners or plugins comes back with `running`'s functions
 * when its files are unchanged, else loaded in this process (module doc).
 */
export async function loadConfigInChild(
  self: string[],
  pathOrList: string,
  mode: string | undefined,
  onFallback: (why: string) => void = () => {},
  running?: RunningConfig,
): Promise<ChildLoadedConfig> {
  const answer = await askChild(self, pathOrList, mode).catch((error) => {
    onFallback(error instanceof Error ? error.message : String(error));
    return null;
  });
  if (answer === null) return await loadConfig(pathOrList, mode);
  if (answer.kind === "invalid") {
    throw new ConfigError(answer.issues, {
      source: answer.source ?? undefined,
      files: answer.files,
    });
  }
  const { files, configs, fingerprint } = answer;
  if (answer.functions === 0) return { config: answer.config, files, configs, fingerprint };
  const kept = running && running.fingerprint === fingerprint
    ? withFunctionsOf(answer.config, running.config)
    : null;
  if (kept) return { config: kept, files, configs, fingerprint };
  return await loadConfig(pathOrList, mode);
}

/**
 * `next` (loaded from the same bytes as `running`, without functions) with
 * the running functions and plugins, matched by name; null when one has no
 * match (a config that depends on more than its files, e.g. the time).
 */
export function withFunctionsOf(
  next: ResolvedConfig,
  running: ResolvedConfig,
): ResolvedConfig | null {
  const listeners: ResolvedListener[] = [];
  for (const listener of next.listeners) {
    if (listener.type === "builtin") {
      listeners.push(listener);
      continue;
    }
    const old = running.listeners.find((o) => o.name === listener.name);
    if (old?.type === "function" && listener.type === "function") {
      listeners.push({ ...listener, handle: old.handle });
    } else if (old?.type === "plugin" && listener.type === "plugin") {
      listeners.push({ ...listener, setup: old.setup });
    } else return null;
  }
  return { ...next, listeners };
}

async function askChild(
  self: string[],
  pathOrList: string,
  mode: string | undefined,
): Promise<ChildAnswer> {
  const [command, ...args] = self;
  const output = await new Deno.Command(command, {
    args: [...args, "-q", "load-config", "--", pathOrList, ...(mode ? [mode] : [])],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(CHILD_TIMEOUT_MS),
  }).output();
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
  const last = lines[lines.length - 1] ?? "";
  if (output.success && last.startsWith("{")) return JSON.parse(last) as ChildAnswer;
  const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-3).join(" | ");
  throw new Error(`"${self.join(" ")} load-config" exited with code ${output.code}: ${stderr}`);
}
