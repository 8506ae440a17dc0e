import { deepStrictEqual } from "node:assert/strict";
import { scanImports } from "./import_scanner.ts";

function specifiers(source: string): string[] {
  return scanImports(source).map((site) => site.kind === "meta" ? "import.meta" : site.specifier);
}

Deno.test("static, side-effect, re-export, type and literal dynamic imports are found", () => {
  const source = `#!/usr/bin/env -S deno run
import { defineConfig } from "sup";
import type { JobConfig } from 'sup';
import "./side.ts";
import data from "./data.json" with { type: "json" };
export * from "./more.ts";
export { a as b } from "./re.mts";
const lazy = await import("./lazy.js");
const other = import(name);
const url = import.meta.url;
`;
  deepStrictEqual(specifiers(source), [
    "sup",
    "sup",
    "./side.ts",
    "./data.json",
    "./more.ts",
    "./re.mts",
    "./lazy.js",
    "import.meta",
  ]);
});

Deno.test("look-alikes in comments, strings, templates and regexes are not imports", () => {
  const source = `
// import x from "./comment.ts";
/* import "./block.ts"; */
const s = 'import "./string.ts"';
const t = \`from "./template.ts" \${ import.meta.dirname } and \${ { a: 1 }.a } from "./t2.ts"\`;
const r = /from "x"/g.test(s) ? 1 / 2 : 3;
const o = { from: "./prop.ts" };
foo.import("./method.ts");
import x from "./real.ts";
`;
  deepStrictEqual(specifiers(source), ["import.meta", "./real.ts"]);
});

Deno.test("positions cover the quoted specifier so it can be replaced", () => {
  const source = `import { a } from "./a.ts";`;
  const [site] = scanImports(source);
  deepStrictEqual(source.slice(site.start, site.end), `"./a.ts"`);
});
