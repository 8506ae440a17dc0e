/**
 * Loading configs that live outside the repository (a temp dir with no
 * deno.json): TypeScript importing "sup" and relative .ts/.json files,
 * TOML, JSON, and the errors for what cannot be loaded.
 */
import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, formatIssue } from "../src/config/config_error.ts";
import { findDefaultConfig, loadConfig } from "../src/config/loader.ts";
import { importModuleGraph, ownBindings } from "../src/config/module_loader.ts";
import { defineConfig } from "../src/mod.ts";

async function tempDir(files: Record<string, string>): Promise<string> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-loader-test-" }));
  for (const [name, text] of Object.entries(files)) {
    await Deno.mkdir(join(dir, name, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, name), text);
  }
  return dir;
}

async function loadError(path: string, mode?: string): Promise<ConfigError> {
  try {
    await loadConfig(path, mode, { hostname: "test-host" });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const TS_CONFIG = `
import { defineConfig } from "sup";
import type { JobConfig } from "sup";
import { worker } from "./jobs/worker.ts";
import settings from "./settings.json" with { type: "json" };

const web: JobConfig = { cmd: ["node", "web.js", String(settings.port)], dir: import.meta.dirname };

export default defineConfig({
  jobs: { web, worker },
  app: { title: settings.title },
  modes: { dev: { app: { title: "dev" } }, "@test-host": { app: { machine: true } } },
});
`;

Deno.test("a TypeScript config outside the repo imports sup and relative .ts and .json files", async () => {
  const dir = await tempDir({
    "sup.config.ts": TS_CONFIG,
    "jobs/worker.ts":
      `import type { JobConfig } from "sup";\nexport const worker: JobConfig = { cmd: "python3 worker.py", dir: "." , depends: [import.meta.filename!] };\n`,
    "settings.json": `{ "port": 8080, "title": "lobby" }`,
  });
  try {
    const loaded = await loadConfig(join(dir, "sup.config.ts"), "dev", { hostname: "TEST-HOST" });
    const [web, worker] = loaded.config.jobs;
    deepStrictEqual(web.argv, ["node", "web.js", "8080"]);
    equal(web.dir, dir);
    deepStrictEqual(worker.argv, ["python3", "worker.py"]);
    equal(worker.dir, dir);
    deepStrictEqual(worker.depends, [join(dir, "jobs/worker.ts")]);
    deepStrictEqual(loaded.config.app, { title: "dev", machine: true });
    deepStrictEqual(loaded.config.modes, ["dev", "@test-host"]);
    deepStrictEqual(loaded.files.sort(), [
      join(dir, "jobs/worker.ts"),
      join(dir, "settings.json"),
      join(dir, "sup.config.ts"),
    ]);
    deepStrictEqual(loaded.configs, [join(dir, "sup.config.ts")]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loading again after an edit sees the new content of the config and its imports", async () => {
  const dir = await tempDir({
    "config.ts":
      `import { port } from "./port.ts";\nimport extra from "./extra.json" with { type: "json" };\nexport default { jobs: { web: { cmd: "serve " + port + " " + extra.flag } } };\n`,
    "port.ts": `export const port = 1;\n`,
    "extra.json": `{ "flag": "a" }`,
  });
  try {
    const path = join(dir, "config.ts");
    deepStrictEqual((await loadConfig(path)).config.jobs[0].argv, ["serve", "1", "a"]);
    await Deno.writeTextFile(join(dir, "port.ts"), `export const port = 2;\n`);
    await Deno.writeTextFile(join(dir, "extra.json"), `{ "flag": "b" }`);
    deepStrictEqual((await loadConfig(path)).config.jobs[0].argv, ["serve", "2", "b"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("'sup' is bound by the loader, not by any import map", async () => {
  const dir = await tempDir({
    "marker.ts": `export const defineConfig = (c: unknown) => ({ marked: c });\n`,
    "config.ts":
      `import { defineConfig } from "sup";\nexport default defineConfig({ jobs: {} });\n`,
  });
  try {
    const bound = await importModuleGraph(join(dir, "config.ts"), {
      sup: new URL(`file://${dir}/marker.ts`).href,
    });
    ok(bound.ok);
    deepStrictEqual(bound.exports.default, { marked: { jobs: {} } });
    equal(ownBindings().sup, new URL("../src/mod.ts", import.meta.url).href);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a config's 'sup' is this program's own mod.ts", async () => {
  const dir = await tempDir({
    "config.ts":
      `import { defineConfig } from "sup";\nexport const fn = defineConfig;\nexport default defineConfig({ jobs: { a: { cmd: "a" } } });\n`,
  });
  try {
    const result = await importModuleGraph(join(dir, "config.ts"));
    ok(result.ok);
    equal(result.exports.fn, defineConfig);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TOML and JSON configs load with the same schema", async () => {
  const dir = await tempDir({
    "sup.toml":
      `[jobs.web]\ncmd = "node web.js"\nmaxMemory = "200MB"\n\n[network.http]\nport = 9000\n`,
    "sup.json": `{ "jobs": { "web": { "cmd": ["node", "web.js"], "restart": "never" } } }`,
  });
  try {
    const toml = await loadConfig(join(dir, "sup.toml"));
    deepStrictEqual(toml.config.jobs[0].maxMemoryBytes, 200 * 1024 * 1024);
    equal(toml.config.network.http.port, 9000);
    deepStrictEqual(toml.files, [join(dir, "sup.toml")]);
    const json = await loadConfig(join(dir, "sup.json"));
    equal(json.config.jobs[0].restart, "never");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a comma-separated list loads the first file and returns all", async () => {
  const dir = await tempDir({
    "a.json": `{ "jobs": { "a": { "cmd": "a" } } }`,
    "b.json": `{ "jobs": { "b": { "cmd": "b" } } }`,
  });
  try {
    const loaded = await loadConfig("a.json, b.json", undefined, { cwd: dir });
    equal(loaded.config.jobs[0].name, "a");
    deepStrictEqual(loaded.configs, [join(dir, "a.json"), join(dir, "b.json")]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loading reports what cannot be loaded, naming the file", async () => {
  const dir = await tempDir({
    "bare.ts":
      `import _ from "lodash";\nimport { defineConfig } from "sup";\nexport default defineConfig({ jobs: {} });\n`,
    "syntax.ts": `export default { jobs: { a: { cmd: "a" } } \n`,
    "missing.ts": `import { x } from "./nope.ts";\nexport default x;\n`,
    "noexport.ts": `export const y = 1;\n`,
    "throws.ts": `throw new Error("boom");\n`,
    "bad.toml": `[jobs.web\ncmd = 1`,
    "bad.json": `{ "jobs": `,
    "invalid.json": `{ "jobs": { "web": { "cmd": "x", "maxMemory": "200XB" } } }`,
    "config.yaml": `jobs: {}`,
  });
  try {
    const messages = async (name: string) =>
      (await loadError(join(dir, name))).issues.map(formatIssue).join("\n");
    equal(
      await messages("bare.ts"),
      `${dir}/bare.ts: imports "lodash", which sup cannot load (a config may import "sup", "sup/client", "node:" built-ins, "npm:" packages and local files)`,
    );
    const syntax = await messages("syntax.ts");
    ok(syntax.startsWith(`Cannot load config "${dir}/syntax.ts": `), syntax);
    ok(syntax.includes(`${dir}/syntax.ts`) && !syntax.includes("sup-config-"), syntax);
    equal(
      await messages("missing.ts"),
      `${dir}/missing.ts: imports "./nope.ts": file not found ("${dir}/nope.ts")`,
    );
    equal(
      await messages("noexport.ts"),
      `"${dir}/noexport.ts" exports no config (write: export default defineConfig({ jobs: {...} }))`,
    );
    ok(
      (await messages("throws.ts")).startsWith(
        `Cannot load config "${dir}/throws.ts": Uncaught Error: boom`,
      ) ||
        (await messages("throws.ts")).startsWith(`Cannot load config "${dir}/throws.ts": boom`),
    );
    ok((await messages("bad.toml")).startsWith(`Cannot parse TOML in "${dir}/bad.toml": `));
    ok((await messages("bad.json")).startsWith(`Cannot parse JSON in "${dir}/bad.json": `));
    equal(
      await messages("invalid.json"),
      `jobs.web.maxMemory: "200XB" is not a size (expected e.g. "512MB")`,
    );
    equal(await messages("absent.ts"), `Cannot read config "${dir}/absent.ts": file not found`);
    ok((await messages("config.yaml")).includes(`unknown config type ".yaml"`));
    deepStrictEqual((await loadError(join(dir, "missing.ts"))).files, [join(dir, "missing.ts")]);
    await rejects(
      loadConfig(join(dir, "invalid.json")),
      (e) => e instanceof ConfigError && e.source === join(dir, "invalid.json"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the default config is ./sup.config.ts, then ./config.ts", async () => {
  const dir = await tempDir({ "config.ts": "" });
  try {
    equal(await findDefaultConfig(dir), join(dir, "config.ts"));
    await Deno.writeTextFile(join(dir, "sup.config.ts"), "");
    equal(await findDefaultConfig(dir), join(dir, "sup.config.ts"));
    await Deno.remove(join(dir, "sup.config.ts"));
    await Deno.remove(join(dir, "config.ts"));
    equal(await findDefaultConfig(dir), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a config may import 'sup/client', bound to this program's own client.ts", async () => {
  const dir = await tempDir({
    "config.ts": `import { defineConfig } from "sup";\nimport { connect } from "sup/client";\n` +
      `export const client = connect;\n` +
      `export default defineConfig({ jobs: { a: { cmd: "a" } } });\n`,
  });
  try {
    const result = await importModuleGraph(join(dir, "config.ts"));
    ok(result.ok, JSON.stringify(!result.ok && result.issues));
    const { connect } = await import("../src/client.ts");
    equal(result.exports.client, connect);
    equal((await loadConfig(join(dir, "config.ts"))).config.jobs[0].name, "a");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(".mts and .js configs load like .ts ones, importing sup and relative files", async () => {
  const dir = await tempDir({
    "sup.config.mts":
      `import { defineConfig } from "sup";\nimport { port } from "./port.mts";\nconst p: number = port;\n` +
      `export default defineConfig({ jobs: { web: { cmd: ["serve", String(p)] } } });\n`,
    "port.mts": `export const port: number = 8080;\n`,
    "sup.config.js": `import { defineConfig } from "sup";\nimport { name } from "./name.js";\n` +
      `export default defineConfig({ jobs: { [name]: { cmd: "run it" } } });\n`,
    "name.js": `export const name = "worker";\n`,
  });
  try {
    deepStrictEqual(
      (await loadConfig(join(dir, "sup.config.mts"))).config.jobs[0].argv,
      ["serve", "8080"],
    );
    const js = await loadConfig(join(dir, "sup.config.js"));
    equal(js.config.jobs[0].name, "worker");
    deepStrictEqual(js.files.sort(), [join(dir, "name.js"), join(dir, "sup.config.js")]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("jsr: and URL imports are refused, naming the file and the specifier", async () => {
  const dir = await tempDir({
    "config.ts":
      `import { x } from "./lib/helper.ts";\nexport default { jobs: { a: { cmd: x } } };\n`,
    "lib/helper.ts": `import "jsr:@std/path";\n` +
      `export { x } from "https://example.com/x.ts";\n`,
  });
  try {
    const error = await loadError(join(dir, "config.ts"));
    const tail = `which sup cannot load (a config may import "sup", "sup/client", "node:" ` +
      `built-ins, "npm:" packages and local files)`;
    deepStrictEqual(error.issues.map(formatIssue), [
      `${dir}/lib/helper.ts: imports "jsr:@std/path", ${tail}`,
      `${dir}/lib/helper.ts: imports "https://example.com/x.ts", ${tail}`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a config may import node: built-ins", async () => {
  const dir = await tempDir({
    "config.ts": `import { join } from "node:path";\n` +
      `export default { jobs: { a: { cmd: ["cat", join(import.meta.dirname!, "x.txt")] } } };\n`,
  });
  try {
    deepStrictEqual((await loadConfig(join(dir, "config.ts"))).config.jobs[0].argv, [
      "cat",
      join(dir, "x.txt"),
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hostname sections of a TOML config apply on the matching machine only", async () => {
  const dir = await tempDir({
    "sup.toml":
      `[jobs.web]\ncmd = "node web.js"\n\n[modes."@kiosk-3".jobs.web]\nmaxMemory = "1GB"\n\n` +
      `[modes."@kiosk-3.dev".app]\ndebug = true\n\n[modes.dev.app]\nmode = "dev"\n`,
  });
  try {
    const there = await loadConfig(join(dir, "sup.toml"), "dev", { hostname: "kiosk-3" });
    deepStrictEqual(there.config.modes, ["dev", "@kiosk-3", "@kiosk-3.dev"]);
    equal(there.config.jobs[0].maxMemoryBytes, 1024 ** 3);
    deepStrictEqual(there.config.app, { mode: "dev", debug: true });
    const elsewhere = await loadConfig(join(dir, "sup.toml"), "dev", { hostname: "laptop" });
    deepStrictEqual(elsewhere.config.modes, ["dev"]);
    equal(elsewhere.config.jobs[0].maxMemoryBytes, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config.example.ts (what `deno task start` runs) is a valid config", async () => {
  const loaded = await loadConfig(new URL("../config.example.ts", import.meta.url).pathname);
  ok(loaded.config.jobs.length > 0);
});

Deno.test("a config whose getter throws while sup reads it is a config error, not a crash", async () => {
  const dir = await tempDir({
    "config.ts": `export default { get jobs() { throw new Error("getter blew up"); } };\n`,
  });
  try {
    const error = await loadError(join(dir, "config.ts"));
    deepStrictEqual(error.issues.map(formatIssue), [
      `Reading the config "${dir}/config.ts" threw an error: getter blew up`,
    ]);
    ok(error.cause instanceof Error);
    deepStrictEqual(error.files, [join(dir, "config.ts")]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
