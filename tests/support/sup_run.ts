/**
 * `sup run` (the one process wrapper, `SupProcess`) on a JSON config written
 * to a temp directory, with free ports and its own runtime directory, ready
 * once its HTTP API answers. Stopped by SIGTERM (its PID), and the time it
 * took to exit is measured.
 *
 * @module
 */

import { freeTcpPort, freeUdpPort } from "./ports.ts";
import { until } from "../../src/testing/wait.ts";
import { SupProcess } from "./sup_process.ts";
import { operatorHeaders } from "./operator_token.ts";

/** The ports a config gets. */
export interface SupPorts {
  http: number;
  websocket: number;
  osc: number;
}

/** A running `sup run` on a config written by `startSupProcess`. */
export interface SupRun extends AsyncDisposable {
  dir: string;
  ports: SupPorts;
  child: Deno.ChildProcess;
  /** e.g. "http://127.0.0.1:24001" */
  api: string;
  /** Lines sup logged (stdout and stderr) so far. */
  logLines(): string[];
  /** Waits (bounded) until a log line contains every one of `parts`; returns it. */
  waitForLog(parts: string[], what: string, timeoutMs?: number): Promise<string>;
  /** GET `path` on the HTTP API as JSON, with the operator token. */
  get<T = unknown>(path: string): Promise<T>;
  /** SIGTERMs sup and resolves with its exit code, its whole log, and how long it took to exit. */
  stop(): Promise<{ code: number; stderr: string; ms: number }>;
  /** SIGKILLs sup (a crash: its jobs are left running) and waits for it to end. */
  kill(): Promise<void>;
}

/** Writes `config(ports, dir)` with `network` and debug logging added, then starts `sup run`. */
export async function startSupProcess(
  config: (ports: SupPorts, dir: string) => Record<string, unknown>,
): Promise<SupRun> {
  const dir = await Deno.makeTempDir({ prefix: "sup-proc-" });
  await Deno.mkdir(`${dir}/runtime`);
  const ports = { http: freeTcpPort(), websocket: freeTcpPort(), osc: await freeUdpPort() };
  await writeConfig(dir, ports, config(ports, dir));
  return await spawnSup(dir, ports);
}

/**
 * Starts another `sup run` on the config, ports and runtime directory of
 * `previous` (which must have ended): a restart of sup.
 */
export async function restartSupProcess(previous: SupRun): Promise<SupRun> {
  return await spawnSup(previous.dir, previous.ports);
}

async function writeConfig(dir: string, ports: SupPorts, body: Record<string, unknown>) {
  const network = (body.network ?? {}) as Record<string, Record<string, unknown>>;
  body.network = {
    ...network,
    http: { ...network.http, port: ports.http },
    websocket: { ...network.websocket, port: ports.websocket },
    osc: { ...network.osc, port: ports.osc },
  };
  body.logging = { ...body.logging as Record<string, unknown>, level: "debug" };
  await Deno.writeTextFile(`${dir}/sup.json`, JSON.stringify(body));
  // Never reboot the test machine: a `systemctl` on sup's PATH only records that it was called.
  await Deno.mkdir(`${dir}/bin`);
  await Deno.writeTextFile(
    `${dir}/bin/systemctl`,
    `#!/bin/sh\necho "systemctl $*" >> ${dir}/systemctl-called\nexit 1\n`,
    { mode: 0o755 },
  );
}

async function spawnSup(dir: string, ports: SupPorts): Promise<SupRun> {
  const sup = new SupProcess(
    `${dir}/sup.json`,
    {
      XDG_RUNTIME_DIR: `${dir}/runtime`,
      PATH: `${dir}/bin:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    },
    [],
    dir,
  );
  const api = `http://127.0.0.1:${ports.http}`;
  let stopped: Promise<{ code: number; stderr: string; ms: number }> | null = null;
  const logLines = () => sup.lines.filter((l) => l !== "");
  const proc: SupRun = {
    dir,
    ports,
    child: sup.child,
    api,
    logLines,
    async waitForLog(parts, what, timeoutMs = 10_000) {
      let found = "";
      await until(
        () => {
          found = logLines().find((l) => parts.every((p) => l.includes(p))) ?? "";
          return found !== "";
        },
        `log line: ${what}`,
        timeoutMs,
      );
      return found;
    },
    async get<T>(path: string): Promise<T> {
      const response = await fetch(`${api}${path}`, {
        headers: await operatorHeaders(`${dir}/runtime`),
      });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return await response.json() as T;
    },
    stop() {
      stopped ??= (async () => {
        const started = performance.now();
        sup.kill("SIGTERM");
        const status = await sup.exit(15_000);
        const ms = performance.now() - started;
        return { code: status.code, stderr: sup.lines.join("\n"), ms };
      })();
      return stopped;
    },
    async kill() {
      sup.kill("SIGKILL");
      await sup.exit();
    },
    async [Symbol.asyncDispose]() {
      await proc.stop();
      await Deno.remove(dir, { recursive: true });
    },
  };
  // Ready once the HTTP API answers.
  try {
    await until(async () => (await fetch(`${api}/config`)).ok, "sup's HTTP API", 20_000);
  } catch (error) {
    const { stderr: text } = await proc.stop();
    await Deno.remove(dir, { recursive: true });
    throw new Error(`${error}; sup's stderr:\n${text}`);
  }
  return proc;
}
