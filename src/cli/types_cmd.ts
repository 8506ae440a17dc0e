/**
 * `sup types [dir]`: writes the types module (`sup_types.ts`) again, e.g.
 * after updating sup.
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import { join, resolve } from "node:path";
import { TYPES_FILE, typesModule } from "./types_module.ts";
import { VERSION } from "./version.ts";

/** The `types` command. */
export function typesCommand(): Command<[string | undefined], Record<never, never>> {
  return new Command("types")
    .description(`write ${TYPES_FILE} (the types of "sup" for your editor) again`)
    .argument("[dir]", "folder to write into (default: the current folder)")
    .action(async (dir) => {
      const path = join(resolve(dir ?? "."), TYPES_FILE);
      await Deno.writeTextFile(path, await typesModule(VERSION));
      console.log(`wrote ${path}`);
    });
}
