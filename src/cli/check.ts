/**
 * `sup check [config] [mode]`: loads and validates a config (pmtr's `-t`),
 * prints it resolved (or as JSON with `--json`); exits 1 listing every
 * problem when it is invalid. Given a comma-separated list, it checks every
 * file (any may become active later) and prints the first, the active one.
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import { ConfigError, type ConfigIssue, formatIssue } from "../config/config_error.ts";
import { loadConfig, type LoadedConfig, splitConfigList } from "../config/loader.ts";
import { CommandLookups } from "../core/command_lookup.ts";
import { preflightJobs } from "../core/job_preflight.ts";
import { configArgument } from "./config_arg.ts";
import { ExitCode, UserError } from "./exit_codes.ts";
import { formatConfig } from "./print_config.ts";

/** What checking one file of the list found (warnings: files that may appear later). */
type Outcome =
  & { source: string; warnings: ConfigIssue[] }
  & (
    | { loaded: LoadedConfig; error?: undefined }
    | { loaded?: undefined; error: ConfigError }
  );

/** Stats through the OS for the job file checks; null when missing or unreadable. */
const lookups = new CommandLookups((path) => {
  try {
    return Deno.statSync(path);
  } catch {
    return null;
  }
});

async function checkOne(source: string, mode: string | undefined): Promise<Outcome> {
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfig(source, mode);
  } catch (error) {
    if (error instanceof ConfigError) return { source, error, warnings: [] };
    throw error;
  }
  // What `sup run` would find only when it starts the job: a missing dir or command.
  const { errors, warnings } = preflightJobs(loaded.config, lookups, Deno.env.get("PATH"));
  if (errors.length === 0) return { source, loaded, warnings };
  const error = new ConfigError(errors, { source: loaded.config.source, files: loaded.files });
  return { source, error, warnings };
}

/** `--json` output: the active config resolved (or its issues), and how the other files fared. */
function jsonReport(outcomes: Outcome[]): Record<string, unknown> {
  const [active, ...others] = outcomes;
  const report: Record<string, unknown> = active.loaded
    ? {
      valid: others.every((o) => o.loaded),
      config: active.loaded.config,
      files: active.loaded.files,
    }
    : { valid: false, source: active.source, issues: active.error.issues };
  if (active.warnings.length > 0) report.warnings = active.warnings;
  if (others.length > 0) {
    report.others = others.map((o): { source: string; valid: boolean; issues: ConfigIssue[] } => ({
      source: o.source,
      valid: o.loaded !== undefined,
      issues: o.error?.issues ?? [],
    }));
  }
  return report;
}

/** The `check` command. */
export function checkCommand(): Command<[string | undefined, string | undefined], { json?: true }> {
  return new Command("check")
    .description(
      "validate a config and print it resolved (exit 0 if valid, 1 listing every problem)",
    )
    .argument(
      "[config]",
      "config file, or a comma-separated list, all checked (default: ./sup.config.ts, then ./config.ts)",
    )
    .argument("[mode]", 'mode to apply, e.g. "dev" or "dev.foo"')
    .option("--json", "print JSON for machines: the resolved config, or the issues")
    .addHelpText(
      "after",
      `
Examples:
  sup check                       check ./sup.config.ts (or ./config.ts)
  sup check kiosk.ts dev          check kiosk.ts with the mode "dev" applied
  sup check a.ts,b.ts             check both; print a.ts (the active one)
  sup check config.toml --json    the resolved config as JSON (ms, bytes, absolute paths)`,
    )
    .action(async (configArg, mode, options) => {
      const list = splitConfigList(await configArgument(configArg));
      const outcomes: Outcome[] = [];
      for (const source of list) outcomes.push(await checkOne(source, mode));
      const failed = outcomes.filter((o) => o.error);
      if (options.json) {
        console.log(JSON.stringify(jsonReport(outcomes), null, 2));
        if (failed.length > 0) throw new UserError("", ExitCode.Failure);
        return;
      }
      const [active, ...others] = outcomes;
      for (const outcome of outcomes) {
        for (const warning of outcome.warnings) {
          console.error(`Warning: "${outcome.source}": ${formatIssue(warning)}`);
        }
      }
      if (failed.length === 0) {
        console.log(formatConfig(active.loaded!.config));
        console.log(`\nOK: "${active.source}" is valid`);
        for (const other of others) console.log(`OK: "${other.source}" is valid too`);
        return;
      }
      if (failed.length === 1) throw failed[0].error;
      console.error(failed.map((o) => o.error!.message).join("\n"));
      throw new UserError("", ExitCode.Failure);
    });
}
