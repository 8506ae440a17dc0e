/**
 * The `sup` CLI run as a subprocess against a live sup, with the
 * environment that points it at that sup's runtime folder (the same
 * `XDG_RUNTIME_DIR` the sup got), for the control command tests.
 *
 * @module
 */

import type { SupRun } from "./sup_run.ts";
import { runSup } from "./cli.ts";

/** What a finished CLI run printed and its exit code. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time of the run (ms). */
  ms: number;
}

/** Runs `sup ...args` with `env` (bounded by 60 s). */
export async function cli(
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<CliResult> {
  const started = performance.now();
  const run = await runSup(args, cwd, { env });
  return { ...run, ms: performance.now() - started };
}

/** The environment that makes the CLI look in `sup`'s runtime folder and nowhere else. */
export function envOf(sup: SupRun): Record<string, string> {
  return { XDG_RUNTIME_DIR: `${sup.dir}/runtime`, SUP_STATE_DIR: `${sup.dir}/runtime/sup` };
}

/** Runs `sup ...args` against `sup`. */
export function cliOf(sup: SupRun, args: string[]): Promise<CliResult> {
  return cli(args, envOf(sup), sup.dir);
}
