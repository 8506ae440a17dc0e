import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { fixtureDir, runSup } from "./cli_helpers.ts";

Deno.test("sup check on a config with five mistakes prints all five with paths and exits 1", async () => {
  const dir = await fixtureDir(["five_mistakes.ts", "shared.json"]);
  try {
    const run = await runSup(["check", "five_mistakes.ts"], dir);
    equal(run.code, 1, run.stderr);
    deepStrictEqual(run.stderr.trimEnd().split("\n"), [
      `Invalid config "${dir}/five_mistakes.ts": 5 problems`,
      `  jobs.web.restrat: unknown option (did you mean "restart"?)`,
      `  jobs.web.maxMemory: "200XB" is not a size (expected e.g. "512MB")`,
      "  jobs.api.maxRetries: must be a whole number >= 0, got -2",
      `  jobs.worker.after[0]: unknown job "wbe" (did you mean "web"?)`,
      "  network.http.port: must be a port number 1-65535, got 70000",
    ]);
    ok(!run.stderr.includes("    at "), "no stack trace without -v");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sup check --json lists the issues for machines and exits 1", async () => {
  const dir = await fixtureDir(["five_mistakes.ts", "shared.json"]);
  try {
    const run = await runSup(["check", "five_mistakes.ts", "--json"], dir);
    equal(run.code, 1);
    const report = JSON.parse(run.stdout);
    equal(report.valid, false);
    deepStrictEqual(
      report.issues.map((i: { path: string }) => i.path).sort(),
      [
        "jobs.api.maxRetries",
        "jobs.web.maxMemory",
        "jobs.web.restrat",
        "jobs.worker.after[0]",
        "network.http.port",
      ],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sup check prints a valid config resolved, with its mode, and exits 0", async () => {
  const dir = await fixtureDir(["valid.toml"]);
  try {
    const run = await runSup(["check", "valid.toml", "dev"], dir);
    equal(run.code, 0, run.stderr);
    ok(run.stdout.includes("modes   dev"), run.stdout);
    ok(run.stdout.includes("web: node web.js --port 8080"), run.stdout);
    ok(/maxMemory\s+200MB/.test(run.stdout), run.stdout);
    ok(/env\s+DEBUG=1/.test(run.stdout), run.stdout);
    ok(run.stdout.includes(`OK: "${dir}/valid.toml" is valid`));

    const json = await runSup(["check", "valid.toml", "--json"], dir);
    equal(json.code, 0);
    const report = JSON.parse(json.stdout);
    deepStrictEqual(report.config.jobs.map((j: { name: string }) => j.name), ["web", "worker"]);
    equal(report.config.jobs[0].maxMemoryBytes, 200 * 1024 * 1024);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sup check finds ./sup.config.ts by default, and says so when there is none", async () => {
  const dir = await fixtureDir([]);
  try {
    const none = await runSup(["check"], dir);
    equal(none.code, 1);
    ok(
      none.stderr.startsWith(
        "sup: No config file given, and neither ./sup.config.ts nor ./config.ts exists",
      ),
      none.stderr,
    );
    await Deno.writeTextFile(
      `${dir}/sup.config.ts`,
      `import { defineConfig } from "sup";\nexport default defineConfig({ jobs: { a: { cmd: "sleep 1" } } });\n`,
    );
    const found = await runSup(["check"], dir);
    equal(found.code, 0, found.stderr);
    ok(found.stdout.includes("a: sleep 1"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("usage errors exit 2; --help and --version exit 0; an unknown mode exits 1", async () => {
  const dir = await fixtureDir(["valid.toml"]);
  try {
    const unknown = await runSup(["chek"], dir);
    equal(unknown.code, 2);
    ok(unknown.stderr.includes("unknown command 'chek'"));
    equal((await runSup(["check", "--nope"], dir)).code, 2);
    const help = await runSup(["--help"], dir);
    equal(help.code, 0);
    ok(help.stdout.includes("check [options] [config] [mode]"));
    const version = await runSup(["--version"], dir);
    equal(version.code, 0);
    const denoJson = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
    equal(version.stdout.trim(), denoJson.version);
    const mode = await runSup(["check", "valid.toml", "prod"], dir);
    equal(mode.code, 1);
    ok(mode.stderr.includes(`Unknown mode "prod" (known modes: "dev")`), mode.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a config that throws is reported without a stack trace, and with one under -v", async () => {
  const dir = await fixtureDir([]);
  try {
    await Deno.writeTextFile(`${dir}/throws.ts`, `throw new Error("boom");\n`);
    const plain = await runSup(["check", "throws.ts"], dir);
    equal(plain.code, 1);
    ok(
      plain.stderr.includes(`Cannot load config "${dir}/throws.ts"`) &&
        plain.stderr.includes("boom"),
    );
    ok(!plain.stderr.includes("    at "), plain.stderr);
    const verbose = await runSup(["-v", "check", "throws.ts"], dir);
    equal(verbose.code, 1);
    ok(verbose.stderr.includes("    at "), verbose.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
