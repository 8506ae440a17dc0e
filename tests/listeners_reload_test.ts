/**
 * Listeners in a real `sup run` of a TypeScript config outside the
 * repository: a function listener and a plugin write what they see to a
 * file; editing the config replaces them (the plugin is disposed, the new
 * one set up), an invalid edit keeps the running ones, a reload of
 * unchanged files keeps them as they are, and removing them stops them.
 * A plugin may import an npm package (under `deno run`).
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { until } from "../src/testing/wait.ts";
import { freeTcpPort, freeUdpPort } from "./support/ports.ts";
import { SupProcess } from "./support/sup_process.ts";

interface Dir {
  path: string;
  network: string;
  lines(): Promise<string[]>;
}

async function configDir(): Promise<Dir> {
  const path = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-listeners-" }));
  const network =
    `network: { http: { port: ${freeTcpPort()} }, websocket: { port: ${freeTcpPort()} }, ` +
    `osc: { port: ${await freeUdpPort()} } },`;
  return {
    path,
    network,
    lines: async () =>
      (await Deno.readTextFile(`${path}/out.txt`).catch(() => "")).split("\n").filter(Boolean),
  };
}

/** A config whose listener and plugin write `<what> <version>` lines to out.txt. */
function config(dir: Dir, version: string, options: { on?: string; plugin?: boolean } = {}) {
  const plugin = options.plugin ?? true;
  return `import { defineConfig } from "sup";
const out = (line: string) =>
  Deno.writeTextFile(import.meta.dirname + "/out.txt", line + "\\n", { append: true });
export default defineConfig({
  jobs: { crash: { cmd: ["sh", "-c", "sleep 0.3; exit 1"], minUptime: "100ms" } },
  ${dir.network}
  listeners: [
    { name: "note", on: ${
    JSON.stringify(options.on ?? "job.exited")
  }, handle: () => out("note ${version}") },
    ${
    plugin
      ? `{ name: "kiosk", async setup(ctx) {
      await out("setup ${version} " + ctx.name);
      return () => out("dispose ${version}");
    } },`
      : ""
  }
  ],
});
`;
}

async function stopSup(sup: SupProcess): Promise<void> {
  sup.kill("SIGTERM");
  const status = await sup.exit();
  equal(status.code, 0, sup.lines.join("\n"));
}

Deno.test({
  name: "edited listeners are replaced, an invalid edit keeps them, unchanged files keep them",
  sanitizeResources: false,
  async fn() {
    const dir = await configDir();
    const file = `${dir.path}/sup.config.ts`;
    await Deno.writeTextFile(file, config(dir, "v1"));
    const sup = new SupProcess(file, { SUP_STATE_DIR: `${dir.path}/state` }, [], dir.path);
    try {
      await sup.waitFor(/Listeners running: note, plugin:kiosk/, 20_000);
      await until(async () => (await dir.lines()).includes("note v1"), "note v1", 5_000);
      deepStrictEqual((await dir.lines()).filter((l) => l.startsWith("setup")), [
        "setup v1 plugin:kiosk",
      ]);

      // An edit: both replaced, the old plugin disposed first.
      let mark = sup.lines.length;
      await Deno.writeTextFile(file, config(dir, "v2"));
      await sup.waitFor(/Listeners running: .*started: note, plugin:kiosk/, 20_000, mark);
      await until(async () => (await dir.lines()).includes("note v2"), "note v2", 5_000);
      const lines = await dir.lines();
      ok(lines.indexOf("dispose v1") < lines.indexOf("setup v2 plugin:kiosk"), lines.join("|"));
      const firstV2 = lines.indexOf("note v2");
      await until(async () => (await dir.lines()).length > lines.length + 2, "more notes", 5_000);
      ok(!(await dir.lines()).slice(firstV2).includes("note v1"), "the old listener is gone");

      // An invalid edit: the error is logged, the running listeners stay.
      mark = sup.lines.length;
      await Deno.writeTextFile(file, config(dir, "v3", { on: "job.exitted" }));
      await sup.waitFor(
        /"job.exitted" is not an event type \(did you mean "job.exited"\?\)/,
        20_000,
        mark,
      );
      const before = (await dir.lines()).length;
      await until(async () => (await dir.lines()).length > before + 1, "notes go on", 5_000);
      ok(!(await dir.lines()).some((l) => l.includes("v3") || l === "dispose v2"));

      // The v2 text again: the files are those the running config came from, nothing restarts.
      mark = sup.lines.length;
      await Deno.writeTextFile(file, config(dir, "v2"));
      await sup.waitFor(/Config reloaded/, 20_000, mark);
      sup.kill("SIGHUP");
      await sup.waitFor(/Config reloaded/, 20_000, sup.lines.length);
      await new Promise((r) => setTimeout(r, 500));
      ok(!sup.lines.slice(mark).some((l) => l.includes("Listeners running")), "none restarted");
      equal((await dir.lines()).filter((l) => l.startsWith("setup")).length, 2);

      // Without the plugin: disposed.
      mark = sup.lines.length;
      await Deno.writeTextFile(file, config(dir, "v4", { plugin: false }));
      await sup.waitFor(
        /Listeners running: note \(started: note; stopped: note, plugin:kiosk\)/,
        20_000,
        mark,
      );
      await until(async () => (await dir.lines()).includes("dispose v2"), "dispose v2", 5_000);
    } finally {
      await stopSup(sup);
      await Deno.remove(dir.path, { recursive: true });
    }
  },
});

Deno.test({
  name: "a plugin of a config outside the repo may import an npm package under deno run",
  sanitizeResources: false,
  async fn() {
    const dir = await configDir();
    const file = `${dir.path}/sup.config.ts`;
    await Deno.writeTextFile(
      file,
      `import { defineConfig, plugin } from "sup";
import { Hono } from "npm:hono@4.13.19";
export default defineConfig({
  jobs: { idle: { cmd: "sleep 60" } },
  ${dir.network}
  listeners: [plugin({
    name: "hono",
    async setup(ctx) {
      const app = new Hono().get("/", (c) => c.text("hello from hono"));
      ctx.log.info(await (await app.request("/")).text());
    },
  })],
});
`,
    );
    // In the config's folder: no deno.json of the repo applies there.
    const sup = new SupProcess(file, { SUP_STATE_DIR: `${dir.path}/state` }, [], dir.path);
    try {
      await sup.waitFor(/plugin:hono: hello from hono/, 30_000);
    } finally {
      await stopSup(sup);
      await Deno.remove(dir.path, { recursive: true });
    }
  },
});
