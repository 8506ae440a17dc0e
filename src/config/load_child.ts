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
 * @module
 */

import { ConfigError, type ConfigIssue } from "./config_error.ts";
import { loadConfig, type LoadedConfig } from "./loader.ts";
import type { ResolvedConfig } from "./resolved.ts";

/** What `sup load-config` prints, as the last line of its stdout. */
export type ChildAnswer =
  | { kind: "loaded"; config: ResolvedConfig; files: string[]; configs: string[] }
  | { kind: "invalid"; issues: ConfigIssue[]; source: string | null; files: string[] };

/** A loaded config without what the file exported (which stayed in the child). */
export type ChildLoadedConfig = Omit<LoadedConfig, "raw">;

/** Answers a load in the child: the config, or the `ConfigError`'s parts. Other errors throw. */
export async function childAnswer(pathOrList: string, mode?: string): Promise<ChildAnswer> {
  try {
    const { config, files, configs } = await loadConfig(pathOrList, mode);
    return { kind: "loaded", config, files, configs };
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

/**
 * Loads `pathOrList` with `mode` as `loadConfig` does, in a child started
 * as `[...self, "load-config", "--", pathOrList, mode?]`. Throws
 * `ConfigError` as `loadConfig` does. When the child cannot run or gives no
 * answer, loads in this process instead (`onFallback` says why).
 */
export async function loadConfigInChild(
  self: string[],
  pathOrList: string,
  mode: string | undefined,
  onFallback: (why: string) => void = () => {},
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
  return { config: answer.config, files: answer.files, configs: answer.configs };
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
