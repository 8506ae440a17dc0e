/**
 * What a config does not use costs nothing: `sup run`'s static module graph
 * holds neither the metrics exporter (imported on the first scrape of
 * `/metrics`) nor pmtr's report and control (imported when the config sets
 * `network.report` or `network.control`).
 */

import { deepStrictEqual, ok } from "node:assert/strict";

interface InfoModule {
  specifier: string;
  dependencies?: { specifier: string; code?: { specifier: string }; isDynamic?: boolean }[];
}

const ROOT = new URL("..", import.meta.url);

async function graph(entry: string): Promise<Map<string, InfoModule>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT.pathname,
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(60_000),
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  return new Map((info.modules as InfoModule[]).map((m) => [m.specifier, m]));
}

/** Every module reached from `from` through static (value) imports, and the dynamic imports met on the way. */
function staticClosure(modules: Map<string, InfoModule>, from: string) {
  const seen = new Set<string>();
  const dynamic: string[] = [];
  const stack = [from];
  while (stack.length > 0) {
    const specifier = stack.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of modules.get(specifier)?.dependencies ?? []) {
      const target = dep.code?.specifier;
      if (target === undefined) continue; // `import type`: nothing loads at run time
      if (dep.isDynamic) dynamic.push(target);
      else stack.push(target);
    }
  }
  return { seen, dynamic };
}

Deno.test("sup run's static imports hold neither the metrics exporter nor pmtr's code", async () => {
  const entry = new URL("src/cli/run.ts", ROOT).href;
  const modules = await graph("src/cli/run.ts");
  const { seen, dynamic } = staticClosure(modules, entry);
  const heavy = [...seen].filter((s) =>
    s.endsWith("/metrics_exporter.ts") || s.endsWith("/metrics_text.ts") ||
    /\/control\/pmtr(_report|_control|_format)?\.ts$/.test(s)
  );
  deepStrictEqual(heavy, []);
  ok(seen.has(new URL("src/web/metrics_routes.ts", ROOT).href), "the routes themselves are there");
  ok(seen.has(new URL("src/control/pmtr_stats.ts", ROOT).href), "and the control counters");
  const lazy = dynamic.map((s) => s.slice(s.lastIndexOf("/") + 1));
  ok(lazy.includes("metrics_exporter.ts"), `loaded on demand: ${lazy}`);
  ok(lazy.includes("pmtr.ts"), `loaded on demand: ${lazy}`);
});
