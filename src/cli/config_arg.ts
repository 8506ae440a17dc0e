/**
 * The `[config]` argument shared by commands: a path, a comma-separated
 * list, or nothing (then ./sup.config.ts, then ./config.ts).
 *
 * @module
 */

import { DEFAULT_CONFIG_FILES, findDefaultConfig } from "../config/loader.ts";
import { UserError } from "./exit_codes.ts";

/** The config path or list to load: `arg` as given, or the default file in `cwd`. */
export async function configArgument(arg: string | undefined, cwd = Deno.cwd()): Promise<string> {
  if (arg !== undefined && arg.trim() !== "") return arg;
  const found = await findDefaultConfig(cwd);
  if (found) return found;
  throw new UserError(
    `No config file given, and neither ${
      DEFAULT_CONFIG_FILES.map((f) => `./${f}`).join(" nor ")
    } exists in "${cwd}" (create one with "sup init")`,
  );
}
