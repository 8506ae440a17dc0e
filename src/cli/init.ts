/**
 * `sup init [dir]`: writes a commented config.ts, a deno.json whose import
 * map points "sup" at the types module, and the types module itself;
 * refuses to overwrite existing files unless `--force`.
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import { join, resolve } from "node:path";
import { UserError } from "./exit_codes.ts";
import { INIT_CONFIG, INIT_DENO_JSON } from "./init_files.ts";
import { TYPES_FILE, typesModule } from "./types_module.ts";
import { VERSION } from "./version.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes the starter files into `dir`; returns the paths written. */
export async function initProject(dir: string, force: boolean): Promise<string[]> {
  const files: [string, string][] = [
    [join(dir, "config.ts"), INIT_CONFIG],
    [join(dir, "deno.json"), INIT_DENO_JSON],
    [join(dir, TYPES_FILE), await typesModule(VERSION)],
  ];
  if (!force) {
    const taken = [];
    for (const [path] of files) if (await exists(path)) taken.push(path);
    if (taken.length > 0) {
      throw new UserError(
        `Not overwriting ${taken.map((p) => `"${p}"`).join(", ")} (use --force to replace)`,
      );
    }
  }
  await Deno.mkdir(dir, { recursive: true });
  for (const [path, text] of files) await Deno.writeTextFile(path, text);
  return files.map(([path]) => path);
}

/** The `init` command. */
export function initCommand(): Command<[string | undefined], { force?: true }> {
  return new Command("init")
    .description(
      `write a starter config.ts, deno.json and ${TYPES_FILE} (for editor autocompletion)`,
    )
    .argument("[dir]", "folder to write into (default: the current folder)")
    .option("-f, --force", "overwrite existing files")
    .action(async (dir, options) => {
      const written = await initProject(resolve(dir ?? "."), options.force ?? false);
      for (const path of written) console.log(`wrote ${path}`);
      console.log(`\nNext: edit config.ts, then "sup check" and "sup run".`);
    });
}
