/**
 * What a config does not use costs nothing (bench/README.md, "What issues 9
 * and 10 cost a plain config"). `deno run` reads every module a module it
 * loads names in a static import or in an `import("./literal.ts")`, and
 * keeps them: so the modules of features are reached only through
 * `lazyImport` (`src/config/lazy_import.ts`), which the compile task must
 * `--include`; and a plain `sup run`, watched in a child process, neither
 * reads nor loads the code of a feature its config does not have.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { SupProcess } from "./support/sup_process.ts";
import { freeTcpPort, freeUdpPort } from "./support/ports.ts";

interface InfoModule {
  specifier: string;
  dependencies?: { specifier: string; code?: { specifier: string }; isDynamic?: boolean }[];
}

const ROOT = new URL("..", import.meta.url);
const SRC = new URL("src/", ROOT);

/**
 * Modules of features a plain config (jobs and ports, nothing else) does
 * not use: the readers of the optional config sections, the `sup` CLI's
 * routes and streams, metrics' exporter, pmtr, mail, listeners, webhooks,
 * analytics, the event file, health checks, machine schedules, the status
 * sampler, the other commands of the CLI and `--detach`.
 */
const FEATURES: RegExp[] = [
  /\/config\/(health_section|listeners_section|listener_\w+|mail_section|mail_print|machine_section|analytics_section|control_section|network_monitoring|selector|event_types)\.ts$/,
  /\/web\/(control_routes|job_actions|stream_routes|live_stream|metrics_exporter|metrics_text)\.ts$/,
  /\/control\/(pmtr|pmtr_report|pmtr_control|pmtr_format|client|discovery|detach|guardian|output_log|service_unit)\.ts$/,
  /\/notify\/(?!event_file_early|log_mail_tap)\w+\.ts$/,
  /\/probes\/(health\w*|httpok|memmon_listener|gcore|machine_schedule|proc_usage)\.ts$/,
  /\/core\/(proc_sampler|proc_files)\.ts$/,
  /\/cli\/(?!run|run_support|components|monitoring|listeners|logging|config_arg|exit_codes|control_hooks|detached_chores|program|version)\w+\.ts$/,
  /nodemailer|smtp-server|mailparser/,
];

const isFeature = (specifier: string) => FEATURES.some((re) => re.test(specifier));

/**
 * What `deno run` reads when it loads `entry`: the modules reached through
 * imports of code, static or `import("./literal.ts")` (not types, which
 * `deno info` lists too).
 */
async function graph(entry: string): Promise<string[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT.pathname,
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(120_000),
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const modules = new Map<string, InfoModule>(
    info.modules.map((m: InfoModule) => [m.specifier, m]),
  );
  const seen = new Set<string>();
  const stack: string[] = [...info.roots];
  while (stack.length > 0) {
    const next = stack.pop()!;
    const specifier = info.redirects?.[next] ?? next;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of modules.get(specifier)?.dependencies ?? []) {
      if (dep.code) stack.push(dep.code.specifier);
    }
  }
  return [...seen];
}

/** Files under src/ (not tests), relative to it. */
function* sources(dir = SRC): Generator<URL> {
  for (const entry of Deno.readDirSync(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* sources(url);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) yield url;
  }
}

Deno.test("what deno run reads for sup run holds no feature code (mail, metrics exporter, pmtr, CLI routes, section readers)", async () => {
  const specifiers = await graph("src/cli/run.ts");
  ok(specifiers.length > 50, `read ${specifiers.length} modules`);
  deepStrictEqual(specifiers.filter(isFeature), []);
  ok(specifiers.some((s) => s.endsWith("/web/metrics_counters.ts")), "counted from the start");
  ok(specifiers.some((s) => s.endsWith("/control/pmtr_stats.ts")), "and the control counters");
});

Deno.test("every command of the CLI is read only when it runs", async () => {
  const cli = (await graph("main.ts")).filter((s) => s.includes("/cli/"));
  deepStrictEqual(cli.map((s) => s.slice(s.lastIndexOf("/") + 1)).sort(), [
    "exit_codes.ts",
    "program.ts",
    "version.ts",
  ]);
});

Deno.test("every lazyImport names one module twice, and the compile task embeds it", async () => {
  const task: string =
    JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks.compile;
  const included = new Set([...task.matchAll(/--include\s+(\S+)/g)].map((m) => m[1]));
  const CALL =
    /lazyImport<typeof import\("([^"]+)"\)>\(\s*new URL\("([^"]+)", import\.meta\.url\),?\s*\)/g;
  const targets: string[] = [];
  const wrong: string[] = [];
  for (const file of sources()) {
    if (file.pathname.endsWith("/config/lazy_import.ts")) continue;
    const text = await Deno.readTextFile(file);
    const calls = [...text.matchAll(CALL)];
    const rel = file.pathname.slice(ROOT.pathname.length);
    if (calls.length !== text.split("lazyImport<").length - 1) {
      wrong.push(`${rel}: write lazyImport<typeof import("x")>(new URL("x", import.meta.url))`);
    }
    for (const [, typed, url] of calls) {
      if (typed !== url) wrong.push(`${rel}: ${typed} and ${url} differ`);
      const target = new URL(url, file).pathname.slice(ROOT.pathname.length);
      targets.push(target);
      if (!included.has(target)) wrong.push(`${rel}: add --include ${target} to the compile task`);
    }
  }
  deepStrictEqual(wrong, []);
  for (const lazy of ["src/web/metrics_exporter.ts", "src/control/pmtr.ts", "src/cli/run.ts"]) {
    ok(targets.includes(lazy), `${lazy} is loaded on demand: ${targets}`);
  }
});

Deno.test({
  name: "a plain sup run reads and loads no module of a feature its config does not have",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "sup-lazy-" });
    await Deno.mkdir(`${dir}/runtime`);
    const config = {
      network: {
        http: { port: freeTcpPort() },
        websocket: { port: freeTcpPort() },
        osc: { port: await freeUdpPort(), appPort: await freeUdpPort() },
      },
      jobs: { web: { cmd: ["sleep", "60"], stdout: false, stderr: false } },
    };
    await Deno.writeTextFile(`${dir}/sup.json`, JSON.stringify(config));
    // -L debug: Deno logs each file it reads for the module graph and each module it loads.
    const sup = new SupProcess(
      `${dir}/sup.json`,
      { XDG_RUNTIME_DIR: `${dir}/runtime` },
      [],
      dir,
      undefined,
      ["-L", "debug"],
    );
    try {
      await sup.waitFor(/sup \d+ running/, 30_000);
      sup.kill("SIGTERM");
      equal((await sup.exit(15_000)).code, 0);
    } finally {
      sup.kill("SIGKILL");
      await sup.exit();
      endJob(sup.lines);
      await Deno.remove(dir, { recursive: true });
    }
    const read = new Set<string>();
    const loaded = new Set<string>();
    for (const line of sup.lines) {
      const file = /fetch_no_follow - specifier: (file:\S+)/.exec(line)?.[1];
      if (file) read.add(file);
      const module = /(?:cache hit for|Updating V8 code cache for) ES module: (file:[^,\s]+)/
        .exec(line)?.[1];
      if (module) loaded.add(module);
    }
    const ours = (set: Set<string>) => [...set].filter((s) => s.startsWith(SRC.href));
    // Deno's debug lines are what this test reads: none at all means their wording changed.
    ok(
      ours(read).length > 50 && ours(loaded).length > 50,
      `read ${read.size}, loaded ${loaded.size}`,
    );
    ok(ours(loaded).some((s) => s.endsWith("/core/supervisor.ts")), "the supervisor loaded");
    deepStrictEqual(
      { read: ours(read).filter(isFeature), loaded: ours(loaded).filter(isFeature) },
      {
        read: [],
        loaded: [],
      },
    );
  },
});

/** Ends the job's process if a sup that did not stop left it (by its pid, checked to be ours). */
function endJob(lines: string[]): void {
  for (const line of lines) {
    const pid = Number(/Started \(pid (\d+)\)/.exec(line)?.[1] ?? NaN);
    if (!Number.isInteger(pid)) continue;
    try {
      if (!Deno.readTextFileSync(`/proc/${pid}/cmdline`).startsWith("sleep\u000060")) continue;
      Deno.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}
