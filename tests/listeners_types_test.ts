/**
 * The types module users get (`sup init`, `sup types`) types listeners as
 * `src/mod.ts` does: a config with functions, `listener()`, plugins and
 * their context type-checks against it, and a typo in an event type does not.
 */
import { equal, ok } from "node:assert/strict";
import { typesModule } from "../src/cli/types_module.ts";
import { VERSION } from "../src/cli/version.ts";

const CONFIG = `import { defineConfig, listener, plugin, type SupEvent } from "./sup_types.ts";
export default defineConfig({
  jobs: { web: { cmd: "node web.js", groups: ["front"] } },
  listeners: [
    (event: SupEvent, ctx) => {
      if (event.type === "job.exited") ctx.restart(event.job, "exit " + event.code);
    },
    { name: "front", on: ["job.*"], jobs: "group:front", handle: (e, ctx) => ctx.log.info(e.type) },
    listener({ on: ["job.fatal"], handle: (event, ctx) => void ctx.notify(event.job, event.message) }),
    plugin({
      name: "kiosk",
      setup(ctx) {
        return ctx.on("app.message", (event) => void ctx.send(event.job ?? "web", event.args));
      },
    }),
    TYPO
  ],
});
`;

async function check(dir: string, typo: string): Promise<{ code: number; stderr: string }> {
  await Deno.writeTextFile(`${dir}/sup.config.ts`, CONFIG.replace("TYPO", typo));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", "sup.config.ts"],
    cwd: dir,
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(60_000),
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("the written types module types listeners, their events and ctx", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-listener-types-" }));
  try {
    await Deno.writeTextFile(`${dir}/sup_types.ts`, await typesModule(VERSION));
    const good = await check(dir, "");
    equal(good.code, 0, good.stderr);
    const bad = await check(dir, `{ on: "job.exitted", handle() {} },`);
    equal(bad.code, 1);
    ok(bad.stderr.includes('"job.exitted"'), bad.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
