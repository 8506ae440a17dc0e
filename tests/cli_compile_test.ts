/**
 * `deno task compile` builds a binary that checks a config living outside the
 * repository (importing "sup" and a relative file). Skipped, with the reason,
 * where `deno compile` cannot download its runtime (denort): no internet.
 */
import { equal, ok } from "node:assert/strict";

const ROOT = new URL("..", import.meta.url).pathname;
const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
const outDir = await Deno.makeTempDir({ prefix: "sup-compile-test-" });
const binary = `${outDir}/sup`;

/** Runs the repo's compile task with the output redirected to a temp dir; null if it worked, else why not. */
async function compile(): Promise<string | null> {
  const task: string = denoJson.tasks.compile;
  const args = task.split(/\s+/).slice(1).map((arg, i, all) => all[i - 1] === "-o" ? binary : arg);
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(300_000),
  }).output();
  if (out.code === 0) return null;
  const stderr = new TextDecoder().decode(out.stderr);
  if (/denort|dl\.deno\.land|error sending request|dns error/i.test(stderr)) {
    return `deno compile cannot download its runtime (denort) here: ${
      stderr.split("\n").find((l) => /error sending request/.test(l))?.trim().replace(
        /^\d+:\s*/,
        "",
      ) ?? "no network"
    }`;
  }
  throw new Error(`deno compile failed:\n${stderr}`);
}

const skipReason = await compile();
if (skipReason) {
  console.log(`cli_compile_test skipped: ${skipReason}`);
  await Deno.remove(outDir, { recursive: true });
}

Deno.test({
  name: "the compiled binary checks a config outside the repo that imports sup and a relative file",
  ignore: skipReason !== null,
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-compiled-config-" }));
    try {
      await Deno.writeTextFile(`${dir}/port.ts`, "export const port = 8080;\n");
      await Deno.writeTextFile(
        `${dir}/sup.config.ts`,
        `import { defineConfig } from "sup";\nimport { port } from "./port.ts";\n` +
          `export default defineConfig({ jobs: { web: { cmd: "node web.js --port " + port } } });\n`,
      );
      const run = async (args: string[]) => {
        const out = await new Deno.Command(binary, {
          args,
          cwd: dir,
          signal: AbortSignal.timeout(60_000),
        }).output();
        return {
          code: out.code,
          stdout: new TextDecoder().decode(out.stdout),
          stderr: new TextDecoder().decode(out.stderr),
        };
      };
      const ok1 = await run(["check"]);
      equal(ok1.code, 0, ok1.stderr);
      ok(ok1.stdout.includes("web: node web.js --port 8080"), ok1.stdout);

      await Deno.writeTextFile(
        `${dir}/bad.ts`,
        `export default { jobs: { web: { cmd: "x", maxMemory: "200XB" } } };\n`,
      );
      const bad = await run(["check", "bad.ts"]);
      equal(bad.code, 1);
      ok(bad.stderr.includes(`jobs.web.maxMemory: "200XB" is not a size`), bad.stderr);

      const init = await run(["init", `${dir}/new`]);
      equal(init.code, 0, init.stderr);
      ok(
        (await Deno.readTextFile(`${dir}/new/sup_types.ts`)).includes(
          "export function defineConfig",
        ),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(outDir, { recursive: true });
    }
  },
});
