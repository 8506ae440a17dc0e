/**
 * The `sup` CLI run as a subprocess against a live sup, with the
 * environment that points it at that sup's runtime folder (the same
 * `XDG_RUNTIME_DIR` the sup got), for the control command tests.
 *
 * @module
 */

import type { SupRun } from "./sup_run.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

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
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
    cwd,
    stdin: "null",
    env: { NO_COLOR: "1", ...env },
    signal: AbortSignal.timeout(60_000),
  }).output();
  const text = new TextDecoder();
  return {
    code: output.code,
    stdout: text.decode(output.stdout),
    stderr: text.decode(output.stderr),
    ms: performance.now() - started,
  };
}

/** The environment that makes the CLI look in `sup`'s runtime folder and nowhere else. */
export function envOf(sup: SupRun): Record<string, string> {
  return { XDG_RUNTIME_DIR: `${sup.dir}/runtime`, SUP_STATE_DIR: `${sup.dir}/runtime/sup` };
}

/** Runs `sup ...args` against `sup`. */
export function cliOf(sup: SupRun, args: string[]): Promise<CliResult> {
  return cli(args, envOf(sup), sup.dir);
}
