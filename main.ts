/**
 * sup's entry point: hands the command line to the CLI and exits with its code.
 *
 * @module
 */

import { runCli } from "./src/cli/program.ts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args));
}
