/**
 * The structure DESIGN.md asks for, checked: folders of `src/` import one
 * way, nothing in `src/` imports from `tests/`, no module is over 400 lines.
 */
import { deepStrictEqual } from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

const SRC = new URL("../src/", import.meta.url).pathname;

/** Each folder and the folders it may import (besides itself). */
const MAY_IMPORT: Record<string, string[]> = {
  config: [],
  core: ["config"],
  net: ["core", "config"],
  probes: ["core", "config"],
  apps: ["core", "config"],
  channels: ["apps", "net", "core", "config"],
  web: ["apps", "net", "core", "config"],
  notify: ["apps", "probes", "net", "core", "config"],
  control: ["apps", "net", "core", "config"],
  cli: ["web", "control", "notify", "channels", "apps", "probes", "net", "core", "config"],
  testing: ["notify", "core", "config"],
};

function* sources(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sources(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

const IMPORT = /(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g;

Deno.test("folders of src/ import one way, and src/ never imports tests/", () => {
  const wrong: string[] = [];
  for (const file of sources(SRC)) {
    const rel = relative(SRC, file);
    const folder = rel.includes("/") ? rel.split("/")[0] : null;
    const test = file.endsWith("_test.ts");
    for (const [, spec] of Deno.readTextFileSync(file).matchAll(IMPORT)) {
      const target = relative(SRC, normalize(join(dirname(file), spec)));
      if (target.startsWith("..")) {
        if (!target.startsWith("../deno.json")) wrong.push(`${rel} imports ${spec}`);
        continue;
      }
      const to = target.includes("/") ? target.split("/")[0] : null;
      if (folder === null || to === null || to === folder) continue;
      if (test && to === "testing") continue;
      if (!MAY_IMPORT[folder]?.includes(to)) wrong.push(`${rel} imports ${target}`);
    }
  }
  deepStrictEqual(wrong, []);
});

Deno.test("no module in src/ is over 400 lines", () => {
  const long = [...sources(SRC)]
    .filter((file) => !file.endsWith("_test.ts"))
    .map((file) => [relative(SRC, file), Deno.readTextFileSync(file).split("\n").length] as const)
    .filter(([, lines]) => lines > 401)
    .map(([file, lines]) => `${file}: ${lines} lines`);
  deepStrictEqual(long, []);
});
