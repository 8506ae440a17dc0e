/**
 * `sup load-config <config> [mode]` (hidden): loads a config and prints it
 * resolved, or its problems, as one line of JSON. A running sup starts it
 * for every hot reload, so the modules a config imports are loaded in a
 * process that ends, not in sup (see `config/load_child.ts`).
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import { childAnswer } from "../config/load_child.ts";

/** The hidden `load-config` command. */
export function loadConfigCommand(): Command<[string, string | undefined]> {
  return new Command("load-config")
    .description("load a config and print it resolved as JSON (used by sup run on reloads)")
    .argument("<config>", "config file, or a comma-separated list")
    .argument("[mode]", "mode to apply")
    .action(async (config, mode) => {
      console.log(JSON.stringify(await childAnswer(config, mode)));
    });
}
