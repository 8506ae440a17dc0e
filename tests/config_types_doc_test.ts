/**
 * The types users see: every config field is documented (the hover is the
 * manual), and the types module `sup init` / `sup types` write exports the
 * same names, fields, docs and types as `src/mod.ts` (no drift).
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { typesModule } from "../src/cli/types_module.ts";
import { VERSION } from "../src/cli/version.ts";

interface DocProperty {
  name: string;
  jsDoc?: { doc?: string };
  optional: boolean;
  tsType?: { repr: string };
}
interface DocDeclaration {
  kind: string;
  /** "export", or "private" for a module's own declaration that an export refers to. */
  declarationKind?: string;
  jsDoc?: { doc?: string };
  def?: { properties?: DocProperty[]; tsType?: { repr: string } };
  typeAliasDef?: { tsType?: { repr: string } };
}
interface DocSymbol {
  name: string;
  declarations: DocDeclaration[];
}

/** `deno doc --json` of one module: its exported symbols. */
async function exportedSymbols(path: string, cwd: string): Promise<Map<string, DocSymbol>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", path],
    cwd,
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(60_000),
  }).output();
  equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const doc = JSON.parse(new TextDecoder().decode(out.stdout));
  const nodes = Object.values(doc.nodes) as { symbols: DocSymbol[] }[];
  equal(nodes.length, 1);
  // Internal types the module declares for its exports (`ResolvedConfig`...) are not exports.
  const exported = nodes[0].symbols.filter((s) =>
    s.declarations.some((d) => d.declarationKind !== "private")
  );
  return new Map(exported.map((s) => [s.name, s]));
}

/** What must not drift: kind, doc, and for interfaces each field's name, doc, optionality and type. */
function shape(symbol: DocSymbol): unknown {
  return symbol.declarations.map((d) => ({
    kind: d.kind,
    doc: d.jsDoc?.doc ?? "",
    type: d.def?.tsType?.repr ?? d.typeAliasDef?.tsType?.repr ?? null,
    properties: (d.def?.properties ?? []).map((p) => ({
      name: p.name,
      doc: p.jsDoc?.doc ?? "",
      optional: p.optional,
      type: p.tsType?.repr ?? null,
    })),
  }));
}

const ROOT = new URL("..", import.meta.url).pathname;
const mod = await exportedSymbols("src/mod.ts", ROOT);

Deno.test("every field of every config type exported by sup has a doc comment", () => {
  const undocumented: string[] = [];
  for (const symbol of mod.values()) {
    for (const d of symbol.declarations) {
      if (!d.jsDoc?.doc?.trim()) undocumented.push(symbol.name);
      for (const p of d.def?.properties ?? []) {
        if (!p.jsDoc?.doc?.trim()) undocumented.push(`${symbol.name}.${p.name}`);
      }
    }
  }
  deepStrictEqual(undocumented, []);
  ok(mod.has("defineConfig") && mod.has("UserConfig"));
  const job = mod.get("JobConfig")!.declarations[0];
  ok((job.def?.properties ?? []).length >= 30, "deno doc sees JobConfig's fields");
});

Deno.test("the generated sup_types.ts exports what src/mod.ts exports, with the same fields and docs", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-types-test-" }));
  try {
    const text = await typesModule(VERSION);
    await Deno.writeTextFile(`${dir}/sup_types.ts`, text);
    const generated = await exportedSymbols("sup_types.ts", dir);
    deepStrictEqual(
      [...generated.keys()].filter((name) => !mod.has(name)),
      [],
      "every config type (src/config/types.ts) is exported by src/mod.ts",
    );
    for (const [name, symbol] of mod) {
      const copy = generated.get(name);
      ok(copy, `sup_types.ts lacks ${name}`);
      deepStrictEqual(shape(copy), shape(symbol), `${name} drifted`);
    }
    ok(!/^\s*import\b/m.test(text), "the types module is self-contained (no imports)");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("every file the types module is made from is embedded by the compile task", async () => {
  // The compiled binary reads these files as text (sup init / sup types), so
  // `deno task compile` must --include each one.
  const { scanImports } = await import("../src/config/import_scanner.ts");
  const files = new Set<string>();
  const visit = async (url: URL) => {
    const path = url.pathname.slice(ROOT.length);
    if (files.has(path)) return;
    files.add(path);
    for (const site of scanImports(await Deno.readTextFile(url))) {
      if (site.kind === "specifier" && site.specifier.startsWith(".")) {
        await visit(new URL(site.specifier, url));
      }
    }
  };
  await visit(new URL("../src/mod.ts", import.meta.url));
  const task: string = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks.compile;
  const included = [...task.matchAll(/--include\s+(\S+)/g)].map((m) => m[1]);
  const missing = [...files].filter((f) =>
    !included.some((inc) => f === inc || (inc.endsWith("/") && f.startsWith(inc)))
  );
  deepStrictEqual(missing, [], `add --include for these to the compile task in deno.json`);
});
