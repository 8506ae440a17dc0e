/**
 * Hot reloads load the config in a child process, so the modules it
 * imports never pile up in sup (V8 frees no module it has evaluated).
 */
import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import { ConfigError } from "../src/config/config_error.ts";
import { loadConfigInChild } from "../src/config/load_child.ts";
import { loadConfig } from "../src/config/loader.ts";
import { selfCommand } from "../src/cli/run.ts";

const counted = (job: string) =>
  `import { defineConfig } from "sup";
const g = globalThis as { supTestEvaluations?: number };
g.supTestEvaluations = (g.supTestEvaluations ?? 0) + 1;
export default defineConfig({ jobs: { ${job}: { cmd: "sleep 100" } } });
`;

async function withConfig(text: string, fn: (path: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sup-reload-child-" });
  try {
    await Deno.writeTextFile(`${dir}/sup.config.ts`, text);
    await fn(`${dir}/sup.config.ts`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const evaluations = () => (globalThis as { supTestEvaluations?: number }).supTestEvaluations;

Deno.test("a reload's config module is evaluated in a child process, never in sup", async () => {
  await withConfig(counted("web"), async (path) => {
    for (let i = 0; i < 3; i++) {
      const loaded = await loadConfigInChild(selfCommand(), path, undefined);
      deepStrictEqual(loaded.config.jobs.map((j) => j.name), ["web"]);
      deepStrictEqual(loaded.files, [path]);
    }
    equal(evaluations(), undefined, "no config module was evaluated in this process");
    // The same config loaded in this process is evaluated here (what reloads used to do).
    await loadConfig(path);
    equal(evaluations(), 1);
  });
});

Deno.test("an invalid edit loaded in the child is the same ConfigError, with the files to watch", async () => {
  await withConfig(
    `export default { jobs: { web: { cmd: "sleep 1", restrat: "always" } } };\n`,
    async (path) => {
      await rejects(loadConfigInChild(selfCommand(), path, "nope"), ConfigError, "an unknown mode");
      try {
        await loadConfigInChild(selfCommand(), path, undefined);
        ok(false, "expected a ConfigError");
      } catch (e) {
        ok(e instanceof ConfigError, String(e));
        equal(e.source, path);
        deepStrictEqual(e.files, [path]);
        ok(e.issues.some((i) => i.path === "jobs.web.restrat"), JSON.stringify(e.issues));
      }
    },
  );
});

Deno.test("when the child cannot run, the config is loaded in sup and the reason is given", async () => {
  await withConfig(`export default { jobs: { api: { cmd: "sleep 1" } } };\n`, async (path) => {
    const reasons: string[] = [];
    const loaded = await loadConfigInChild(
      ["/nonexistent/sup"],
      path,
      undefined,
      (why) => reasons.push(why),
    );
    deepStrictEqual(loaded.config.jobs.map((j) => j.name), ["api"]);
    equal(reasons.length, 1);
  });
});

// Listeners (issue 9): functions cannot cross as JSON.
const withListener = (text: string) =>
  `import { defineConfig } from "sup";
const g = globalThis as { supTestListenerLoads?: number };
g.supTestListenerLoads = (g.supTestListenerLoads ?? 0) + 1;
export default defineConfig({
  jobs: { web: { cmd: "sleep 100" } },
  listeners: [function note() { return ${JSON.stringify(text)}; }, { name: "p", setup() {} }],
});
`;

const listenerLoads = () =>
  (globalThis as { supTestListenerLoads?: number }).supTestListenerLoads ?? 0;

Deno.test("a config with function listeners is validated in the child, then loaded in sup unless its files are unchanged", async () => {
  await withConfig(withListener("one"), async (path) => {
    const first = await loadConfigInChild(selfCommand(), path, undefined);
    equal(listenerLoads(), 1, "loaded in this process for its functions");
    const note = first.config.listeners[0];
    ok(note.type === "function" && typeof note.handle === "function");
    equal((note.handle as () => string)(), "one");

    const again = await loadConfigInChild(selfCommand(), path, undefined, undefined, {
      config: first.config,
      fingerprint: first.fingerprint,
    });
    equal(listenerLoads(), 1, "unchanged files: not loaded again");
    equal(again.fingerprint, first.fingerprint);
    deepStrictEqual(again.config.listeners.map((l) => l.type), ["function", "plugin"]);
    const kept = again.config.listeners;
    ok(kept[0].type === "function" && first.config.listeners[0].type === "function");
    equal(kept[0].handle, first.config.listeners[0].handle, "the running function is kept");
    ok(kept[1].type === "plugin" && first.config.listeners[1].type === "plugin");
    equal(kept[1].setup, first.config.listeners[1].setup);

    await Deno.writeTextFile(path, withListener("two"));
    const edited = await loadConfigInChild(selfCommand(), path, undefined, undefined, {
      config: first.config,
      fingerprint: first.fingerprint,
    });
    equal(listenerLoads(), 2);
    const changed = edited.config.listeners[0];
    ok(changed.type === "function");
    equal((changed.handle as () => string)(), "two");
    ok(edited.fingerprint !== first.fingerprint);
  });
});
