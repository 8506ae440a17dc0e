/**
 * `sup check [config] [mode]`: loads and validates a config (pmtr's `-t`),
 * prints it resolved (or as JSON with `--json`); exits 1 listing every
 * problem when it is invalid.
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import { ConfigError } from "../config/config_error.ts";
import { loadConfig } from "../config/loader.ts";
import { configArgument } from "./config_arg.ts";
import { ExitCode, UserError } from "./exit_codes.ts";
import { formatConfig } from "./print_config.ts";

/** The `check` command. */
export function checkCommand(): Command<[string | undefined, string | undefined], { json?: true }> {
  return new Command("check")
    .description(
      "validate a config and print it resolved (exit 0 if valid, 1 listing every problem)",
    )
    .argument(
      "[config]",
      "config file, or a comma-separated list (default: ./sup.config.ts, then ./config.ts)",
    )
    .argument("[mode]", 'mode to apply, e.g. "dev" or "dev.foo"')
    .option("--json", "print JSON for machines: { valid, config } or { valid, issues }")
    .action(async (configArg, mode, options) => {
      const path = await configArgument(configArg);
      if (!options.json) {
        const loaded = await loadConfig(path, mode);
        console.log(formatConfig(loaded.config));
        console.log(`\nOK: "${loaded.config.source}" is valid`);
        return;
      }
      try {
        const loaded = await loadConfig(path, mode);
        console.log(
          JSON.stringify({ valid: true, config: loaded.config, files: loaded.files }, null, 2),
        );
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        console.log(
          JSON.stringify({ valid: false, source: error.source, issues: error.issues }, null, 2),
        );
        throw new UserError("", ExitCode.Failure);
      }
    });
}
