/**
 * `sup disable` / `sup enable` against a live sup: a disabled job stays
 * stopped whoever asks, across restarts of sup, until enabled or until its
 * config changes (while sup runs or while it is down); `status` shows it.
 * `sup reload`: what was added, removed and changed, or every error (exit
 * 1) while the running config stays.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import type { StatusReport } from "../src/core/control_api.ts";
import { until } from "../src/testing/wait.ts";
import { cli, cliOf } from "./support/control_cli.ts";
import { freeTcpPort, freeUdpPort } from "./support/ports.ts";
import { SupProcess } from "./support/sup_process.ts";
import { restartSupProcess, startSupProcess, type SupRun } from "./support/sup_run.ts";

async function status(sup: SupRun): Promise<Map<string, StatusReport["jobs"][number]>> {
  const run = await cliOf(sup, ["status", "--json"]);
  equal(run.code, 0, run.stderr);
  return new Map((JSON.parse(run.stdout) as StatusReport).jobs.map((j) => [j.name, j]));
}

interface JsonConfig {
  jobs: Record<string, { env?: Record<string, string> }>;
}

async function editConfig(sup: SupRun, edit: (config: JsonConfig) => void) {
  const path = `${sup.dir}/sup.json`;
  const config = JSON.parse(await Deno.readTextFile(path));
  edit(config);
  await Deno.writeTextFile(path, JSON.stringify(config));
}

Deno.test("a disabled job stays stopped across restarts of sup until enable", async () => {
  let sup = await startSupProcess(() => ({
    jobs: { web: { cmd: "sleep 600" }, worker: { cmd: "sleep 600" } },
  }));
  try {
    await until(async () => (await status(sup)).get("worker")?.state === "running", "worker");
    const disable = await cliOf(sup, ["disable", "worker"]);
    equal(disable.code, 0, disable.stderr);
    match(
      disable.stdout,
      /^worker: disabled \(stopped pid \d+; it stays stopped until "sup enable worker" or its config changes\)$/m,
    );
    const off = (await status(sup)).get("worker")!;
    equal(off.state, "stopped");
    equal(off.disabled, true);
    equal(off.disabledBy, "sup disable");
    match(
      (await cliOf(sup, ["status"])).stdout,
      /^worker +stopped \(disabled\) .* disabled by sup disable$/m,
    );

    const start = await cliOf(sup, ["start", "worker"]);
    equal(start.code, 1);
    match(
      start.stdout,
      /^worker: disabled by sup disable since \S+: run "sup enable worker" first$/m,
    );
    const twice = await cliOf(sup, ["disable", "worker"]);
    match(twice.stdout, /^worker: already disabled \(by sup disable\)$/m);

    // sup restarts: the switch was persisted with the job's config, which is the same.
    await sup.stop();
    sup = await restartSupProcess(sup);
    await until(async () => (await status(sup)).get("web")?.state === "running", "web");
    const after = (await status(sup)).get("worker")!;
    equal(after.state, "stopped");
    equal(after.disabledBy, "sup disable");
    ok(!sup.logLines().some((l) => l.includes("worker: Started")), "worker was not started");

    const enable = await cliOf(sup, ["enable", "worker"]);
    equal(enable.code, 0, enable.stderr);
    match(enable.stdout, /^worker: enabled and started \(pid \d+\) in \d+ ms$/m);
    equal((await status(sup)).get("worker")?.disabledBy, null);
    const again = await cliOf(sup, ["enable", "worker"]);
    match(again.stdout, /^worker: not disabled$/m);
  } finally {
    await sup.stop();
    await Deno.remove(sup.dir, { recursive: true });
  }
});

Deno.test("a change to a disabled job's config lifts the disable, while sup runs or while it is down", async () => {
  let sup = await startSupProcess(() => ({
    jobs: {
      worker: { cmd: "sleep 600" },
      other: { cmd: "sleep 600" },
      manual: { cmd: "sleep 600", disabled: true },
    },
  }));
  try {
    const configDisabled = await cliOf(sup, ["enable", "manual"]);
    equal(configDisabled.code, 1);
    match(configDisabled.stdout, /^manual: disabled by its config \(disabled: true\)/m);

    equal((await cliOf(sup, ["disable", "worker", "other"])).code, 0);
    await editConfig(sup, (c) => c.jobs.worker.env = { CHANGED: "1" });
    await sup.waitForLog(["worker", "Enabled again by config: changed"], "the lift");
    await until(async () => (await status(sup)).get("worker")?.state === "running", "worker runs");
    equal((await status(sup)).get("other")?.disabledBy, "sup disable", "other stays disabled");

    // Changed while sup is down: the next sup lifts it at start.
    await sup.stop();
    await editConfig(sup, (c) => c.jobs.other.env = { CHANGED: "1" });
    sup = await restartSupProcess(sup);
    await until(async () => (await status(sup)).get("other")?.state === "running", "other runs");
    equal((await status(sup)).get("other")?.disabledBy, null);
  } finally {
    await sup.stop();
    await Deno.remove(sup.dir, { recursive: true });
  }
});

/** A TS config whose jobs come from jobs.json, a file the config watcher does not see. */
async function dataConfig(dir: string, jobs: Record<string, unknown>) {
  const network = {
    http: { port: freeTcpPort() },
    websocket: { port: freeTcpPort() },
    osc: { port: await freeUdpPort() },
  };
  await Deno.writeTextFile(`${dir}/jobs.json`, JSON.stringify(jobs));
  await Deno.writeTextFile(
    `${dir}/sup.config.ts`,
    `const jobs = JSON.parse(Deno.readTextFileSync(new URL("./jobs.json", import.meta.url)));
export default { network: ${JSON.stringify(network)}, jobs };
`,
  );
}

Deno.test("reload prints what was added, removed and changed, or every error while the running config stays", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-reload-" }));
  const env = { XDG_RUNTIME_DIR: dir, SUP_STATE_DIR: `${dir}/sup` };
  await dataConfig(dir, { web: { cmd: "sleep 600" }, old: { cmd: "sleep 600" } });
  const sup = new SupProcess(`${dir}/sup.config.ts`, { XDG_RUNTIME_DIR: dir }, [], dir);
  try {
    await sup.waitFor(/sup \d+ running/, 20_000);
    const jobs = async () => {
      const run = await cli(["status", "--json"], env, dir);
      equal(run.code, 0, run.stderr);
      return Object.fromEntries(
        (JSON.parse(run.stdout) as StatusReport).jobs.map((j) => [j.name, j.pid]),
      );
    };
    const same = await cli(["reload"], env, dir);
    equal(same.code, 0, same.stderr);
    equal(same.stdout, `Reloaded "${dir}/sup.config.ts": nothing changed\n`);

    await Deno.writeTextFile(
      `${dir}/jobs.json`,
      JSON.stringify({ web: { cmd: "sleep 600", env: { V: "2" } }, added: { cmd: "sleep 600" } }),
    );
    const changed = await cli(["reload"], env, dir);
    equal(changed.code, 0, changed.stderr);
    equal(
      changed.stdout,
      `Reloaded "${dir}/sup.config.ts":\n  added    added\n  removed  old\n  changed  web\n`,
    );
    await until(async () => Object.keys(await jobs()).join() === "web,added", "new jobs");
    await until(async () => Object.values(await jobs()).every((p) => p !== null), "running");
    const before = await jobs();

    await Deno.writeTextFile(
      `${dir}/jobs.json`,
      JSON.stringify({ web: { cmd: "sleep 600", restrat: "always", maxMemory: "1XB" } }),
    );
    const invalid = await cli(["reload"], env, dir);
    equal(invalid.code, 1);
    deepStrictEqual(invalid.stdout.split("\n"), [
      `Config "${dir}/sup.config.ts" not reloaded (2 problems); the running config stays:`,
      '  jobs.web.restrat: unknown option (did you mean "restart"?)',
      '  jobs.web.maxMemory: "1XB" is not a size (expected e.g. "512MB")',
      "",
    ]);
    deepStrictEqual(await jobs(), before, "the running config and its processes stay");
    const json = await cli(["reload", "--json"], env, dir);
    equal(JSON.parse(json.stdout).ok, false);

    // sup reloads an edited config by itself; reload then says what that reload did.
    await Deno.writeTextFile(`${dir}/jobs.json`, JSON.stringify({ web: { cmd: "sleep 600" } }));
    const text = await Deno.readTextFile(`${dir}/sup.config.ts`);
    await Deno.writeTextFile(`${dir}/sup.config.ts`, `${text}// edited\n`);
    await sup.waitFor(/Config reloaded \(added: none; removed: added; changed: web\)/, 20_000);
    const late = await cli(["reload"], env, dir);
    equal(late.code, 0, late.stderr);
    match(
      late.stdout,
      /nothing changed since sup reloaded it at .* \(removed added; changed web\)$/m,
    );
  } finally {
    sup.kill("SIGTERM");
    await sup.exit();
    await Deno.remove(dir, { recursive: true });
  }
});
