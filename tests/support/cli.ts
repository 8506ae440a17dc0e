/** Runs the sup CLI under `deno run` as a subprocess, for CLI tests. */

/** What a finished `sup` run printed and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Runs `deno run -A main.ts ...args` in `cwd` (bounded by a 60 s timeout). */
export async function runSup(args: string[], cwd: string): Promise<CliRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
    cwd,
    stdin: "null",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(60_000),
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
