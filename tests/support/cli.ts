/** Runs the sup CLI under `deno run` as a subprocess, for CLI tests. */

/** What a finished `sup` run printed and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Options of `runSup`. */
export interface RunSupOptions {
  /** Variables added to the environment (over `NO_COLOR=1`). @default none */
  env?: Record<string, string>;
  /** Longest run before it is killed. @default 60_000 */
  timeoutMs?: number;
}

/** Runs `deno run -A main.ts ...args` in `cwd` (bounded by a timeout). */
export async function runSup(
  args: string[],
  cwd?: string,
  options: RunSupOptions = {},
): Promise<CliRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
    cwd,
    stdin: "null",
    env: { NO_COLOR: "1", ...options.env },
    signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
  }).output();
  const text = new TextDecoder();
  return {
    code: output.code,
    stdout: text.decode(output.stdout),
    stderr: text.decode(output.stderr),
  };
}

/** Copies fixture files from tests/fixtures/configs into a new temp dir (outside the repo). */
export async function fixtureDir(names: string[]): Promise<string> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-cli-test-" }));
  for (const name of names) {
    await Deno.copyFile(new URL(`../fixtures/configs/${name}`, import.meta.url), `${dir}/${name}`);
  }
  return dir;
}
