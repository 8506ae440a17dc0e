import { equal, notEqual, ok } from "node:assert/strict";
import { runSup } from "./support/cli.ts";

async function denoCheck(cwd: string, file: string): Promise<{ code: number; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", file],
    cwd,
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(60_000),
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("sup init writes a config that type-checks against the written types module and passes sup check", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-init-test-" }));
  try {
    const init = await runSup(["init", dir], dir);
    equal(init.code, 0, init.stderr);
    const denoJson = JSON.parse(await Deno.readTextFile(`${dir}/deno.json`));
    equal(denoJson.imports.sup, "./sup_types.ts");
    const typed = await denoCheck(dir, "config.ts");
    equal(typed.code, 0, typed.stderr);
    const check = await runSup(["check"], dir);
    equal(check.code, 0, check.stderr);

    // The types module catches mistakes in the editor: a wrong option and an unknown job in `after`.
    await Deno.writeTextFile(
      `${dir}/wrong.ts`,
      `import { defineConfig } from "sup";\nexport default defineConfig({ jobs: { a: { cmd: "a", restart: "sometimes" }, b: { cmd: "b", after: ["c"] } } });\n`,
    );
    const wrong = await denoCheck(dir, "wrong.ts");
    notEqual(wrong.code, 0);
    ok(wrong.stderr.includes(`"sometimes"`) && wrong.stderr.includes(`"c"`), wrong.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sup init refuses to overwrite files unless --force; sup types rewrites the types module", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-init-test-" }));
  try {
    await Deno.writeTextFile(`${dir}/config.ts`, "// mine\n");
    const refused = await runSup(["init"], dir);
    equal(refused.code, 1);
    equal(
      refused.stderr.trim(),
      `sup: Not overwriting "${dir}/config.ts" (use --force to replace)`,
    );
    equal(await Deno.readTextFile(`${dir}/config.ts`), "// mine\n");
    equal((await runSup(["init", "--force"], dir)).code, 0);
    ok((await Deno.readTextFile(`${dir}/config.ts`)).includes("defineConfig"));

    const original = await Deno.readTextFile(`${dir}/sup_types.ts`);
    await Deno.writeTextFile(`${dir}/sup_types.ts`, "stale");
    const types = await runSup(["types"], dir);
    equal(types.code, 0, types.stderr);
    equal(await Deno.readTextFile(`${dir}/sup_types.ts`), original);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
