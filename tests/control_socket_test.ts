/**
 * The control socket and how the CLI finds it: a live `sup run` serves its
 * operator API on a 0600 socket in its runtime folder; the CLI finds the
 * only sup, tells two sups apart (by --name, --config, or a list), explains
 * a stale socket and a missing one, and reaches a sup over TCP with the
 * operator token. A sup started with a name another live sup holds refuses
 * to start; one that finds a dead sup's socket removes it.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { ControlClient, ControlError } from "../src/control/client.ts";
import { findSup, scanSockets } from "../src/control/discovery.ts";
import type { StatusReport, SupInfo } from "../src/core/control_api.ts";
import { readOperatorToken } from "../src/web/operator_token.ts";
import { cli, cliOf, envOf } from "./support/control_cli.ts";
import { operatorTokenPath } from "./support/operator_token.ts";
import { startSupProcess, type SupRun } from "./support/sup_run.ts";
import { SupProcess } from "./support/sup_process.ts";
import { freeTcpPort, freeUdpPort } from "./support/ports.ts";

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

const sleeper = { cmd: "sleep 600" };

function env(sup: SupRun): (key: string) => string | undefined {
  const vars = envOf(sup);
  return (key) => vars[key];
}

async function socketOf(sup: SupRun): Promise<string> {
  const scan = await scanSockets([`${sup.dir}/runtime/sup`]);
  equal(scan.live.length, 1, `one live socket in ${sup.dir}/runtime/sup`);
  return scan.live[0].path;
}

Deno.test("sup run serves its operator API on a 0600 socket the CLI finds by itself", async () => {
  await using sup = await startSupProcess(() => ({ jobs: { web: sleeper } }));
  const path = await socketOf(sup);
  equal((Deno.statSync(path).mode ?? 0) & 0o777, 0o600);
  match(path, /\/runtime\/sup\/[^/]+-[0-9a-f]{8}\.sock$/);
  await sup.waitForLog(["Control socket listening on", path], "the socket log line");

  using client = await findSup({ env: env(sup) });
  const info = await client.request<SupInfo>("GET", "/api/control/info");
  equal(info.pid, sup.child.pid);
  equal(info.config, await Deno.realPath(`${sup.dir}/sup.json`));
  equal(info.socket, path);

  const status = await cliOf(sup, ["status", "--json"]);
  equal(status.code, 0, status.stderr);
  const report = JSON.parse(status.stdout) as StatusReport;
  deepStrictEqual(report.jobs.map((j) => [j.name, j.state]), [["web", "running"]]);
  ok(report.jobs[0].rssBytes !== null && report.jobs[0].rssBytes > 0, "RSS of the job's group");
});

Deno.test("two sups with different configs are told apart by --name and --config, and listed when neither is given", async () => {
  await using a = await startSupProcess(() => ({
    network: { name: "alpha" },
    jobs: { a: sleeper },
  }));
  // Both in one runtime folder, as two sups of one user are: b's socket goes next to a's.
  const folder = `${a.dir}/runtime/sup`;
  await using b = await startSupProcess(() => ({
    network: { socket: { path: `${folder}/bee.sock` } },
    jobs: { b: sleeper },
  }));
  const vars = { XDG_RUNTIME_DIR: `${a.dir}/runtime`, SUP_STATE_DIR: folder };
  const bInfo = (await scanSockets([folder])).live.find((s) => s.path.endsWith("/bee.sock"))!.info;
  match(bInfo.name, /^sup-proc-.+-[0-9a-f]{8}$/, "a name derived from the config's folder");

  const both = await cli(["status"], vars, a.dir);
  equal(both.code, 1);
  match(both.stderr, /2 sups are running; pick one with --name or --config/);
  match(both.stderr, /alpha +pid \d+/);

  const byName = await cli(["status", "--name", "alpha"], vars, a.dir);
  equal(byName.code, 0, byName.stderr);
  match(byName.stdout, /^a +running/m);
  const derived = bInfo.name.replace(/-[0-9a-f]{8}$/, "");
  const byPrefix = await cli(["status", "--name", derived], vars, a.dir);
  equal(byPrefix.code, 0, byPrefix.stderr);
  match(byPrefix.stdout, /^b +running/m);
  const byConfig = await cli(["status", "--config", `${b.dir}/sup.json`], vars, a.dir);
  equal(byConfig.code, 0, byConfig.stderr);
  match(byConfig.stdout, /^b +running/m);

  const unknown = await cli(["status", "--name", "gamma"], vars, a.dir);
  equal(unknown.code, 1);
  match(unknown.stderr, /No sup named "gamma" is running/);
});

Deno.test("a second sup with a network.name a live sup holds refuses to start, before any job", async () => {
  await using first = await startSupProcess(() => ({
    network: { name: "kiosk" },
    jobs: { a: sleeper },
  }));
  const socket = await socketOf(first);
  const dir = await Deno.makeTempDir({ prefix: "sup-name-taken-" });
  try {
    await Deno.writeTextFile(
      `${dir}/sup.json`,
      JSON.stringify({
        network: {
          name: "kiosk",
          socket: { path: socket },
          http: { port: freeTcpPort() },
          websocket: { port: freeTcpPort() },
          osc: { port: await freeUdpPort() },
        },
        jobs: { marker: { cmd: "touch started" } },
      }),
    );
    const second = new SupProcess(`${dir}/sup.json`, { SUP_STATE_DIR: dir }, [], dir);
    const status = await second.exit(20_000);
    equal(status.code, 1);
    const log = second.lines.join("\n");
    match(log, /Cannot start: sup \d+ \(name "kiosk".*already answers on the control socket/);
    match(log, /give this config another network\.name/);
    ok(log.includes(`sup ${first.child.pid} (name "kiosk"`), log);
    ok(!(await exists(`${dir}/started`)), "no job was started");
    equal((await Deno.lstat(socket)).isSocket, true, "the first sup's socket stays");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a stale socket is explained, and removed by the next sup", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-stale-" });
  try {
    const path = `${dir}/sup/old-1234abcd.sock`;
    await Deno.mkdir(`${dir}/sup`);
    // A socket whose process is gone: bound, never listened on by anyone alive.
    const made = await new Deno.Command("python3", {
      args: ["-c", `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(path)})`],
    }).output();
    ok(made.success);
    const vars = { XDG_RUNTIME_DIR: dir, SUP_STATE_DIR: `${dir}/sup` };
    const viaSocket = await cli(["status", "--socket", path], vars);
    equal(viaSocket.code, 1);
    match(viaSocket.stderr, /The socket ".*old-1234abcd\.sock" is stale: a sup that died left it/);
    const alone = await cli(["status"], vars);
    equal(alone.code, 1);
    match(alone.stderr, /No sup is running for you/);
    match(alone.stderr, /old-1234abcd\.sock" is stale/);
    const missing = await cli(["status", "--socket", `${dir}/nothing.sock`], vars);
    equal(missing.code, 1);
    match(missing.stderr, /No sup is running there: the socket ".*nothing\.sock" does not exist/);

    await using sup = await startSupProcess(() => ({
      network: { socket: { path } },
      jobs: { web: sleeper },
    }));
    await sup.waitForLog(["Removed the control socket", "old-1234abcd.sock"], "stale removal");
    const now = await cli(["status", "--socket", path], vars);
    equal(now.code, 0, now.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--url reaches the HTTP API over TCP with the operator token, and says so without it", async () => {
  await using sup = await startSupProcess(() => ({ jobs: { web: sleeper } }));
  const token = await readOperatorToken(await operatorTokenPath(`${sup.dir}/runtime`));
  const bare = { XDG_RUNTIME_DIR: `${sup.dir}/nowhere`, SUP_STATE_DIR: `${sup.dir}/nowhere` };
  const refused = await cli(["status", "--url", sup.api], bare);
  equal(refused.code, 1);
  match(refused.stderr, /refused the request \(401\): give the operator token with SUP_TOKEN/);
  const withEnv = await cli(["status", "--url", sup.api], { ...bare, SUP_TOKEN: token });
  equal(withEnv.code, 0, withEnv.stderr);
  match(withEnv.stdout, /^web +running/m);
  // On the same machine, the token files of the user's sups are tried.
  const local = await cli(["status", "--url", sup.api], envOf(sup));
  equal(local.code, 0, local.stderr);

  // The client API, as other commands use it.
  using client = new ControlClient({ url: sup.api, token: "wrong" });
  const error = await client.request("GET", "/api/control/info").catch((e) => e);
  ok(error instanceof ControlError);
  equal(error.status, 401);
});
