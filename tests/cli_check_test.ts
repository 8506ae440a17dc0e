import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { fixtureDir, runSup } from "./support/cli.ts";
import { loadConfig } from "../src/config/loader.ts";
import { ExitCode } from "../src/cli/exit_codes.ts";

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
    ok(run.stdout.includes("enabled; actions allowed: none, kill"), run.stdout);
    ok(run.stdout.includes("rebootCommand      systemctl reboot"), run.stdout);
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
    equal(unknown.code, ExitCode.Usage);
    ok(unknown.stderr.includes("unknown command 'chek'"));
    equal((await runSup(["check", "--nope"], dir)).code, ExitCode.Usage);
    equal((await runSup(["check", "a", "b", "c"], dir)).code, ExitCode.Usage);
    const both = await runSup(["-v", "-q", "check", "valid.toml"], dir);
    equal(both.code, ExitCode.Usage);
    ok(both.stderr.includes("cannot be used with option '-v, --verbose'"), both.stderr);
    const help = await runSup(["--help"], dir);
    equal(help.code, ExitCode.Ok);
    ok(help.stdout.includes("check [options] [config] [mode]"));
    ok(help.stdout.includes("Exit codes: 0 ok, 1 invalid config"), help.stdout);
    for (const command of ["run", "check", "init", "types"]) {
      const sub = await runSup([command, "--help"], dir);
      equal(sub.code, ExitCode.Ok);
      ok(sub.stdout.startsWith(`Usage: sup ${command} `), sub.stdout);
    }
    const version = await runSup(["--version"], dir);
    equal(version.code, ExitCode.Ok);
    const denoJson = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
    equal(version.stdout.trim(), denoJson.version);
    const mode = await runSup(["check", "valid.toml", "prod"], dir);
    equal(mode.code, ExitCode.Failure);
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
    ok(verbose.stderr.includes(`${dir}/throws.ts:1:7`), verbose.stderr);
    ok(!verbose.stderr.includes("sup-config-"), "the stack names the config, not its temp copy");
    const after = await runSup(["check", "throws.ts", "--verbose"], dir);
    ok(after.stderr.includes("    at "), "-v/--verbose also works after the command");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sup check --json prints exactly the resolved config the loader makes", async () => {
  const dir = await fixtureDir(["valid.toml"]);
  try {
    const run = await runSup(["check", "valid.toml", "dev", "--json"], dir);
    equal(run.code, ExitCode.Ok, run.stderr);
    const report = JSON.parse(run.stdout);
    const loaded = await loadConfig(`${dir}/valid.toml`, "dev");
    deepStrictEqual(report, {
      valid: true,
      config: JSON.parse(JSON.stringify(loaded.config)),
      files: loaded.files,
    });
    deepStrictEqual(report.config.jobs[0].env, { DEBUG: "1" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sup check on a comma-separated list checks every file and prints the active one", async () => {
  const dir = await fixtureDir(["valid.toml"]);
  try {
    // A command that exists: `sup check` also looks for it (see the test below).
    await Deno.writeTextFile(`${dir}/b.json`, `{ "jobs": { "b": { "cmd": "sleep 1" } } }`);
    await Deno.writeTextFile(
      `${dir}/c.json`,
      `{ "jobs": { "c": { "cmd": "", "killTimeout": "5 min" } } }`,
    );
    const good = await runSup(["check", "valid.toml,b.json"], dir);
    equal(good.code, ExitCode.Ok, good.stderr);
    ok(good.stdout.includes("web: node web.js --port 8080"), "prints the first (active) file");
    ok(!good.stdout.includes("b: sleep 1"), good.stdout);
    ok(good.stdout.includes(`OK: "${dir}/b.json" is valid too`), good.stdout);

    const bad = await runSup(["check", "valid.toml,c.json"], dir);
    equal(bad.code, ExitCode.Failure);
    deepStrictEqual(bad.stderr.trimEnd().split("\n"), [
      `Invalid config "${dir}/c.json": 2 problems`,
      `  jobs.c.cmd: must not be empty (expected a command, e.g. "node server.js")`,
      `  jobs.c.killTimeout: "5 min" is not a duration (expected e.g. "5m")`,
    ]);

    const json = await runSup(["check", "valid.toml,c.json", "--json"], dir);
    equal(json.code, ExitCode.Failure);
    const report = JSON.parse(json.stdout);
    equal(report.valid, false);
    equal(report.config.source, `${dir}/valid.toml`);
    deepStrictEqual(
      report.others.map((o: { source: string; valid: boolean; issues: unknown[] }) => [
        o.source,
        o.valid,
        o.issues.length,
      ]),
      [[`${dir}/c.json`, false, 2]],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sup check names path, value and what is expected for common slips", async () => {
  const dir = await fixtureDir([]);
  try {
    await Deno.writeTextFile(
      `${dir}/sup.config.ts`,
      `import { defineConfig } from "sup";
export default defineConfig({
  jobs: {
    web: {
      cmd: "node web.js",
      heartbeat: { timout: "10s" } as never,
      minUptime: "10sec" as never,
      env: { PORT: 8080 as never },
      after: ["web"],
    },
    empty: { cmd: [] },
    slow: { cmd: "x", killSignal: "TERM" as never },
  },
  logging: { level: "warn" as never },
  modes: { dev: { jobs: { wbe: { env: { DEBUG: "1" } } } } },
});
`,
    );
    const run = await runSup(["check"], dir);
    equal(run.code, ExitCode.Failure);
    deepStrictEqual(run.stderr.trimEnd().split("\n").slice(1).sort(), [
      `  jobs.empty.cmd: must not be an empty array (expected e.g. ["node", "server.js"])`,
      `  jobs.slow.killSignal: "TERM" is not a stop signal (expected "SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGKILL", "SIGUSR1" or "SIGUSR2") (did you mean "SIGTERM"?)`,
      `  jobs.web.after[0]: "web" is this job itself (a job cannot wait for itself)`,
      `  jobs.web.env.PORT: must be a string, got 8080 (write "8080")`,
      `  jobs.web.heartbeat.timout: unknown key (did you mean "timeout"?)`,
      `  jobs.web.minUptime: "10sec" is not a duration (expected e.g. "10s")`,
      `  logging.level: "warn" is not a log level (expected "debug", "info", "warning" or "error") (did you mean "warning"?)`,
      `  modes.dev.jobs.wbe: "wbe" is not a job of the config, and this section gives it no "cmd" (did you mean "web"?)`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sup check reports a job whose cmd or dir does not exist, with the job's path, and exits 1", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-cli-test-" }));
  try {
    await Deno.writeTextFile(`${dir}/notes.txt`, "not a program\n");
    await Deno.writeTextFile(
      `${dir}/jobs.json`,
      JSON.stringify({
        jobs: {
          typo: { cmd: "pythn3 -m http.server" },
          nodir: { cmd: "sleep 1", dir: "missing" },
          noexec: { cmd: "./notes.txt" },
          fine: { cmd: "sleep 1" },
          setup: { cmd: ["/bin/sh", "-c", "mkdir -p out"], wait: true },
          later: { cmd: "sleep 1", dir: "out" },
        },
      }),
    );
    const run = await runSup(["check", "jobs.json"], dir);
    equal(run.code, 1, run.stderr);
    deepStrictEqual(run.stderr.trimEnd().split("\n"), [
      `Warning: "${dir}/jobs.json": jobs.later.dir: directory "${dir}/out" does not exist yet ` +
      `("setup", a wait/once job before it, may create it)`,
      `Invalid config "${dir}/jobs.json": 3 problems`,
      `  jobs.typo.cmd: command "pythn3" was not found on PATH "${Deno.env.get("PATH")}"`,
      `  jobs.nodir.dir: directory "${dir}/missing" does not exist`,
      `  jobs.noexec.cmd: command "./notes.txt" is not executable (permission denied)`,
    ]);
    const json = JSON.parse((await runSup(["check", "jobs.json", "--json"], dir)).stdout);
    equal(json.valid, false);
    deepStrictEqual(json.issues.map((i: { path: string }) => i.path), [
      "jobs.typo.cmd",
      "jobs.nodir.dir",
      "jobs.noexec.cmd",
    ]);
    deepStrictEqual(json.warnings.map((i: { path: string }) => i.path), ["jobs.later.dir"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
