/**
 * `sup service install|uninstall`: the unit `--print` writes is checked by
 * `systemd-analyze verify` (field by field where it is missing); install and
 * uninstall of a user unit run against a recording `systemctl` on PATH (a
 * container has no systemd to enable units in).
 */

import { runSup } from "./support/cli.ts";
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";

interface Setup extends AsyncDisposable {
  dir: string;
  config: string;
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The systemctl calls recorded, one per line. */
  calls(): string[];
}

async function setup(systemctlExit = 0): Promise<Setup> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-service-" }));
  const config = `${dir}/kiosk.config.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      network: { name: "kiosk" },
      jobs: {
        api: { cmd: "sleep 300", killTimeout: "20s" },
        web: { cmd: "sleep 300", after: ["api"], killTimeout: "8s" },
      },
    }),
  );
  await Deno.mkdir(`${dir}/bin`);
  await Deno.writeTextFile(
    `${dir}/bin/systemctl`,
    `#!/bin/sh\necho "$*" >> ${dir}/calls\n` +
      (systemctlExit ? `echo "Failed to connect to bus: No medium found" >&2\n` : "") +
      `exit ${systemctlExit}\n`,
    { mode: 0o755 },
  );
  const env = {
    PATH: `${dir}/bin:${Deno.env.get("PATH")}`,
    XDG_CONFIG_HOME: `${dir}/xdg`,
    NO_COLOR: "1",
  };
  return {
    dir,
    config,
    cli(...args) {
      return runSup(args, dir, { env, timeoutMs: 60_000 });
    },
    calls() {
      try {
        return Deno.readTextFileSync(`${dir}/calls`).split("\n").filter((l) => l);
      } catch {
        return [];
      }
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function field(unit: string, key: string): string | undefined {
  return unit.split("\n").find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1);
}

async function hasSystemdAnalyze(): Promise<boolean> {
  try {
    return (await new Deno.Command("systemd-analyze", { args: ["--version"] }).output()).success;
  } catch {
    return false;
  }
}

Deno.test("service install --print writes a unit systemd-analyze accepts, and touches nothing", async () => {
  await using s = await setup();
  const result = await s.cli("service", "install", s.config, "--print");
  equal(result.code, 0, result.stderr);
  const unit = result.stdout;
  deepStrictEqual(s.calls(), [], "systemctl was not called");
  equal(field(unit, "KillMode"), "mixed");
  equal(field(unit, "Restart"), "on-failure");
  // web stops first (8 s + 2), then api (20 s + 2), + 7 s of sup's own waits, + 10 s margin.
  equal(field(unit, "TimeoutStopSec"), `${Math.ceil((10_000 + 22_000 + 7_000) / 1000) + 10}s`);
  equal(field(unit, "WorkingDirectory"), s.dir);
  match(field(unit, "ExecStart")!, new RegExp(` run ${s.config.replaceAll(".", "\\.")}$`));
  equal(field(unit, "WantedBy"), "multi-user.target");
  if (await hasSystemdAnalyze()) {
    const file = `${s.dir}/sup-kiosk.service`;
    await Deno.writeTextFile(file, unit);
    const verify = await new Deno.Command("systemd-analyze", { args: ["verify", file] }).output();
    const said = new TextDecoder().decode(verify.stderr);
    equal(verify.code, 0, said);
    equal(said.trim(), "", "no warnings");
  } else {
    ok(field(unit, "ExecStart")!.startsWith("/"), "ExecStart is an absolute path");
    equal(field(unit, "Type"), "exec");
  }
});

Deno.test("service install --user writes the user unit, reloads systemd, enables and starts it; uninstall undoes it", async () => {
  await using s = await setup();
  const installed = await s.cli("service", "install", s.config, "--user");
  equal(installed.code, 0, installed.stderr);
  const file = `${s.dir}/xdg/systemd/user/sup-kiosk.service`;
  const printed = await s.cli("service", "install", s.config, "--user", "--print");
  equal(await Deno.readTextFile(file), printed.stdout);
  equal(field(printed.stdout, "WantedBy"), "default.target");
  deepStrictEqual(s.calls(), ["--user daemon-reload", "--user enable --now sup-kiosk.service"]);
  match(installed.stdout, /Enabled and started sup-kiosk\.service/);
  match(installed.stdout, /loginctl enable-linger/);

  const removed = await s.cli("service", "uninstall", s.config, "--user");
  equal(removed.code, 0, removed.stderr);
  deepStrictEqual(s.calls().slice(2), [
    "--user disable --now sup-kiosk.service",
    "--user daemon-reload",
  ]);
  ok(!(await Deno.stat(file).then(() => true, () => false)), "the unit file is gone");
  const again = await s.cli("service", "uninstall", s.config, "--user");
  equal(again.code, 1);
  match(again.stderr, /No unit ".*sup-kiosk\.service" is installed/);
});

Deno.test("service install says what systemctl answered when it fails", async () => {
  await using s = await setup(1);
  const result = await s.cli("service", "install", s.config, "--user");
  equal(result.code, 1);
  match(
    result.stderr,
    /"systemctl --user daemon-reload" failed \(exit code 1\): Failed to connect to bus/,
  );
  match(result.stderr, /unit file: .*sup-kiosk\.service/);
});

Deno.test("without network.name the unit is named as the control socket: file or folder name and a hash", async () => {
  await using s = await setup();
  await Deno.writeTextFile(s.config, JSON.stringify({ jobs: { api: { cmd: "sleep 300" } } }));
  const result = await s.cli("service", "install", s.config, "--user");
  equal(result.code, 0, result.stderr);
  match(s.calls()[1], /^--user enable --now sup-kiosk\.config-[0-9a-f]{8}\.service$/);
});

Deno.test("service install refuses an invalid config", async () => {
  await using s = await setup();
  await Deno.writeTextFile(
    s.config,
    JSON.stringify({ jobs: { api: { cmd: "x", killTimeout: "soon" } } }),
  );
  const result = await s.cli("service", "install", s.config, "--print");
  equal(result.code, 1);
  match(result.stderr, /jobs\.api\.killTimeout/);
  deepStrictEqual(s.calls(), []);
});
