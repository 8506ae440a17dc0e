/**
 * How the CLI finds the sup to talk to: `--url` (TCP, with the operator
 * token), `--socket`, `--config` (the sup running that config), `--name`
 * (`network.name`, or the start of a derived name), or else the only sup
 * running for this user. Sockets are looked for in the runtime folders
 * (`$SUP_STATE_DIR`, `$XDG_RUNTIME_DIR/sup`, `/run/sup`) and next to the
 * config; with several sups and no choice, they are listed (or, on a
 * terminal, the user is asked). Every failure is a `ControlError` that says
 * what was looked at and what to do.
 *
 * @module
 */

import { resolve } from "node:path";
import { supName } from "../config/resolved_control.ts";
import type { SupInfo } from "../core/control_api.ts";
import { stateFolders } from "../core/runtime_state.ts";
import { ControlClient, ControlError, probeMessage } from "./client.ts";
import { besideConfigSocket, SOCKET_SUFFIX } from "./socket_path.ts";
import { probeSocket, type SocketProbe } from "./socket_probe.ts";

/** A sup that answered on its socket. */
export interface RunningSup {
  path: string;
  info: SupInfo;
}

/** How to find the sup (the CLI's options and environment). */
export interface FindOptions {
  /** `--url`: the HTTP API over TCP. */
  url?: string;
  /** `--token-file`: the operator token for `--url` (else `$SUP_TOKEN`, else local token files). */
  tokenFile?: string;
  /** `--socket`: a socket path. */
  socket?: string;
  /** `--config`: the config a sup runs. */
  config?: string;
  /** `--name`: a sup's name. */
  name?: string;
  /** Reads an environment variable. @default Deno.env.get */
  env?: (key: string) => string | undefined;
  /** Where default config files are looked for. @default Deno.cwd() */
  cwd?: string;
  /** Picks one of several sups (asks on a terminal); null leaves the choice to the user. */
  choose?: (sups: RunningSup[]) => Promise<RunningSup | null>;
}

/** What the runtime folders hold. */
export interface SocketScan {
  live: RunningSup[];
  /** Sockets nothing answers on, and other failures, as probes. */
  dead: SocketProbe[];
  /** Folders that exist but may not be read. */
  closed: string[];
  /** Folders looked in. */
  folders: string[];
}

/** Connects to the sup `options` name; throws `ControlError` saying why not. */
export async function findSup(options: FindOptions = {}): Promise<ControlClient> {
  const env = options.env ?? ((key: string) => Deno.env.get(key));
  if (options.url !== undefined) {
    const token = await operatorToken(options, env);
    return new ControlClient({ url: options.url, token });
  }
  if (options.socket !== undefined) return await openSocket(resolve(options.socket));
  const folders = searchFolders(env);
  if (options.config !== undefined) return await byConfig(options.config, folders);
  if (options.name !== undefined) return await byName(options.name, folders);
  const scan = await scanSockets(folders);
  if (scan.live.length === 1) return new ControlClient({ socket: scan.live[0].path });
  if (scan.live.length === 0) throw new ControlError(nothingRunning(scan));
  const here = await defaultConfigIn(options.cwd ?? Deno.cwd());
  const local = scan.live.filter((sup) => sup.info.config === here);
  if (local.length === 1) return new ControlClient({ socket: local[0].path });
  const chosen = await options.choose?.(scan.live) ?? null;
  if (chosen) return new ControlClient({ socket: chosen.path });
  throw new ControlError(
    `${scan.live.length} sups are running; pick one with --name or --config:\n${
      listSups(scan.live)
    }`,
  );
}

/**
 * The folders sockets are looked for in: `$SUP_STATE_DIR` alone when set
 * (it overrides, as it does for sup), else `$XDG_RUNTIME_DIR/sup` and `/run/sup`.
 */
export function searchFolders(env = (key: string) => Deno.env.get(key)): string[] {
  const own = env("SUP_STATE_DIR");
  return own ? [own] : stateFolders({ env });
}

/** Every sup answering in the runtime `folders` (default: this user's), and what else is there. */
export async function scanSockets(folders = searchFolders()): Promise<SocketScan> {
  const scan: SocketScan = { live: [], dead: [], closed: [], folders };
  const seen = new Set<string>();
  for (const folder of folders) {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(folder)];
    } catch (error) {
      if (error instanceof Deno.errors.PermissionDenied) scan.closed.push(folder);
      continue;
    }
    const paths = entries.filter((e) => e.name.endsWith(SOCKET_SUFFIX))
      .map((e) => `${folder}/${e.name}`).sort();
    const probes = await Promise.all(
      paths.filter((p) => !seen.has(p)).map((p) => probeSocket(p, { info: true })),
    );
    for (const probe of probes) {
      seen.add(probe.path);
      if (probe.kind === "live" && probe.info) {
        scan.live.push({ path: probe.path, info: probe.info });
      } else if (probe.kind !== "missing" && probe.kind !== "notSocket") scan.dead.push(probe);
    }
  }
  return scan;
}

/** One line per sup: name, pid, config, uptime. */
export function listSups(sups: RunningSup[], now = Date.now()): string {
  const width = Math.max(...sups.map((s) => s.info.name.length));
  return sups.map(({ info }) =>
    `  ${info.name.padEnd(width)}  pid ${String(info.pid).padEnd(7)} up ${
      ago(now - info.startedAt)
    }  ${info.config}`
  ).join("\n");
}

async function openSocket(path: string): Promise<ControlClient> {
  const probe = await probeSocket(path, { info: false });
  if (probe.kind !== "live") throw new ControlError(probeMessage(probe));
  return new ControlClient({ socket: path });
}

/** The sup running `config` (the first of a comma-separated list). */
async function byConfig(config: string, folders: string[]): Promise<ControlClient> {
  const path = await realPath(resolve(config.split(",")[0]));
  const derived = supName(path, null);
  const candidates = [...folders.map((f) => `${f}/${derived}${SOCKET_SUFFIX}`)];
  candidates.push(besideConfigSocket(path, derived));
  const probes = await Promise.all(candidates.map((p) => probeSocket(p, { info: true })));
  const live = probes.find((p) => p.kind === "live" && p.info?.config === path);
  if (live) return new ControlClient({ socket: live.path });
  // A config with its own network.name or network.socket.path: ask every sup, then the config.
  const scan = await scanSockets(folders);
  const found = scan.live.find((sup) => sup.info.config === path);
  if (found) return new ControlClient({ socket: found.path });
  const own = await configuredSocket(path, folders);
  if (own !== null) {
    const probe = await probeSocket(own, { info: true });
    if (probe.kind === "live") return new ControlClient({ socket: own });
    if (probe.kind !== "missing") throw new ControlError(probeMessage(probe));
    candidates.push(own);
  }
  const dead = probes.find((p) => p.kind === "stale" || p.kind === "denied");
  if (dead) throw new ControlError(probeMessage(dead));
  throw new ControlError(
    `No sup is running the config "${path}": no socket answers for it (looked for ${
      [...new Set(candidates)].map((c) => `"${c}"`).join(", ")
    })`,
  );
}

/** The sup named `name`, or whose derived name starts with `name-`. */
async function byName(name: string, folders: string[]): Promise<ControlClient> {
  const scan = await scanSockets(folders);
  const base = (path: string) => path.slice(path.lastIndexOf("/") + 1, -SOCKET_SUFFIX.length);
  const derived = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[0-9a-f]{8}$`);
  const named = (path: string, info?: SupInfo) =>
    info?.name === name || base(path) === name || derived.test(base(path)) ||
    (info !== undefined && derived.test(info.name));
  const live = scan.live.filter((sup) => named(sup.path, sup.info));
  if (live.length === 1) return new ControlClient({ socket: live[0].path });
  if (live.length > 1) {
    throw new ControlError(
      `${live.length} sups match the name "${name}"; give the whole name:\n${listSups(live)}`,
    );
  }
  const dead = scan.dead.find((probe) => named(probe.path));
  if (dead) throw new ControlError(probeMessage(dead));
  const others = scan.live.length > 0 ? `; running:\n${listSups(scan.live)}` : "";
  throw new ControlError(
    `No sup named "${name}" is running (looked in ${where(scan)})${others}`,
  );
}

/** Why no sup was found, with what was seen. */
function nothingRunning(scan: SocketScan): string {
  const lines = [`No sup is running for you: no socket answers in ${where(scan)}`];
  for (const probe of scan.dead) lines.push(`  ${probeMessage(probe)}`);
  for (const folder of scan.closed) {
    lines.push(
      `  "${folder}" is closed to you: the sockets of sups run by another user (e.g. root) ` +
        `are there; run the command as that user`,
    );
  }
  lines.push(
    "  (a sup whose config sets network.socket.path is found with --config or --socket)",
  );
  return lines.join("\n");
}

function where(scan: SocketScan): string {
  return scan.folders.map((f) => `"${f}"`).join(", ");
}

/** The socket `config` itself asks for (`network.name`, `network.socket.path`), loading it. */
async function configuredSocket(config: string, folders: string[]): Promise<string | null> {
  try {
    await Deno.stat(config);
  } catch {
    return null; // only a path: nothing to read
  }
  try {
    const { loadConfig } = await import("../config/loader.ts");
    const { config: resolved } = await loadConfig(config);
    const socket = resolved.network.socket;
    if (socket === null) {
      throw new ControlError(
        `The config "${config}" turns the control socket off (network.socket: false): ` +
          `use --url with the HTTP API`,
      );
    }
    if (socket.path !== null) return socket.path;
    const name = supName(resolved.source, resolved.network.name);
    for (const folder of folders) {
      const path = `${folder}/${name}${SOCKET_SUFFIX}`;
      if ((await probeSocket(path, { info: false })).kind !== "missing") return path;
    }
    return besideConfigSocket(resolved.source, name);
  } catch (error) {
    if (error instanceof ControlError) throw error;
    return null;
  }
}

/** The operator token for `--url`: `$SUP_TOKEN`, `--token-file`, or a local token file sup wrote. */
async function operatorToken(
  options: FindOptions,
  env: (key: string) => string | undefined,
): Promise<string | null> {
  const given = env("SUP_TOKEN");
  if (given) return given.trim();
  if (options.tokenFile !== undefined) {
    try {
      return (await Deno.readTextFile(options.tokenFile)).trim();
    } catch (error) {
      throw new ControlError(
        `Cannot read the token file "${options.tokenFile}": ${(error as Error).message}`,
      );
    }
  }
  // A sup on this machine: try the tokens of the sups this user runs.
  for (const folder of searchFolders(env)) {
    let names: string[];
    try {
      names = [...Deno.readDirSync(folder)].map((e) => e.name).filter((n) => n.endsWith(".token"));
    } catch {
      continue;
    }
    for (const name of names) {
      const token = (await Deno.readTextFile(`${folder}/${name}`).catch(() => "")).trim();
      if (token === "") continue;
      const ok = await fetch(`${options.url!.replace(/\/+$/, "")}/api/control/info`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(2_000),
      }).then(async (r) => (await r.body?.cancel(), r.ok)).catch(() => false);
      if (ok) return token;
    }
  }
  return null;
}

async function defaultConfigIn(cwd: string): Promise<string | null> {
  for (const file of ["sup.config.ts", "config.ts"]) {
    try {
      return await Deno.realPath(`${cwd}/${file}`);
    } catch {
      // next
    }
  }
  return null;
}

async function realPath(path: string): Promise<string> {
  try {
    return await Deno.realPath(path);
  } catch {
    return path;
  }
}

/** "3h 12m", "45s". */
export function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}
