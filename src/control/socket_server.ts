/**
 * The control socket, a `Component` of `sup run`: serves the operator API
 * (the same Hono routes as over TCP) on a unix socket for the `sup` CLI.
 * The socket file's mode (0600 by default) and group are the access check,
 * so requests arriving on it are operator requests: the server vouches for
 * them with the operator token the TCP side requires.
 *
 * At bind, a socket file already there is probed: one a live sup answers
 * on is an error (two sups would share a name), one nobody answers on is
 * the leftover of a sup that died and is removed. The socket moves when a
 * reload changes `network.name` or `network.socket` (the new one is bound
 * before the old one is closed; one that cannot be bound keeps the old).
 *
 * @module
 */

import { dirname } from "node:path";
import { getLogger } from "@logtape/logtape";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { ResolvedSocket } from "../config/resolved_control.ts";
import type { Component } from "../core/component.ts";
import { probeSocket } from "./socket_probe.ts";

const log = getLogger(["sup", "control"]);

/** How long `close()` waits for requests going on (streams) before it lets them go. */
const CLOSE_WAIT_MS = 2_000;

/** The control socket cannot be bound (another sup has it, a file is in the way...). */
export class ControlSocketError extends Error {
  /** Always "ControlSocketError". */
  override name = "ControlSocketError";
}

/** What the control socket serves, and where. */
export interface ControlSocketOptions {
  /** Answers a request (the HTTP app with the operator routes). */
  fetch(request: Request): Response | Promise<Response>;
  /** Where the socket of `config` goes; null for none. */
  where(config: ResolvedConfig): string | null;
  /** The operator token the app's operator routes require; null when they require none. */
  token?: string | null;
}

interface Bound {
  path: string;
  server: Deno.HttpServer<Deno.UnixAddr>;
  mode: number;
  gid: number | null;
}

/** Serves the operator API on the control socket. */
export class ControlSocket implements Component {
  #options: ControlSocketOptions;
  #bound: Bound | null = null;
  #auth: string | null;

  /** A socket that binds on the first `apply()`. */
  constructor(options: ControlSocketOptions) {
    this.#options = options;
    this.#auth = options.token ? `Bearer ${options.token}` : null;
  }

  /** Where the socket is bound, or null. */
  get path(): string | null {
    return this.#bound?.path ?? null;
  }

  /**
   * Follows the config: binds the socket on the first call, moves it when
   * its path changes, updates its mode and group. Throws
   * `ControlSocketError` when it cannot bind (the old socket stays).
   */
  async apply(config: ResolvedConfig): Promise<void> {
    const path = this.#options.where(config);
    const settings = config.network.socket;
    const old = this.#bound;
    if (path === null || settings === null) {
      this.#bound = null;
      if (old) await this.#unbind(old);
      return;
    }
    if (old && old.path === path) {
      await this.#permit(old, settings);
      return;
    }
    const bound = await this.#bind(path, settings);
    this.#bound = bound;
    log.info(`Control socket listening on "${path}" (mode 0o${bound.mode.toString(8)})`);
    if (old) await this.#unbind(old);
  }

  /** Stops serving and removes the socket file. */
  async close(): Promise<void> {
    const old = this.#bound;
    this.#bound = null;
    if (old) await this.#unbind(old);
  }

  async #bind(path: string, settings: ResolvedSocket): Promise<Bound> {
    const bytes = new TextEncoder().encode(path).length;
    if (bytes > 107) {
      throw new ControlSocketError(
        `cannot create the control socket "${path}": the path is ${bytes} bytes long and a ` +
          `socket path may have at most 107; set network.socket.path to a shorter one`,
      );
    }
    await ensureFolder(dirname(path));
    await clearLeftover(path);
    let server: Deno.HttpServer<Deno.UnixAddr>;
    try {
      server = Deno.serve({
        path,
        onListen: () => {},
        onError: (error) => {
          log.error(`Control socket request failed: ${error}`);
          return Response.json({ error: String(error) }, { status: 500 });
        },
      }, (request) => this.#serve(request));
    } catch (error) {
      throw new ControlSocketError(`cannot create the control socket "${path}": ${text(error)}`);
    }
    const bound: Bound = { path, server, mode: -1, gid: null };
    try {
      await this.#permit(bound, settings);
    } catch (error) {
      await this.#unbind(bound);
      throw error;
    }
    return bound;
  }

  #serve(request: Request): Response | Promise<Response> {
    if (this.#auth === null) return this.#options.fetch(request);
    const headers = new Headers(request.headers);
    headers.set("authorization", this.#auth);
    return this.#options.fetch(new Request(request, { headers }));
  }

  /** Sets the socket file's mode and group. */
  async #permit(bound: Bound, settings: ResolvedSocket): Promise<void> {
    if (bound.mode === settings.mode && bound.gid === settings.gid) return;
    try {
      await Deno.chmod(bound.path, settings.mode);
      if (settings.gid !== null) await Deno.chown(bound.path, null, settings.gid);
    } catch (error) {
      throw new ControlSocketError(
        `cannot set the mode (0o${settings.mode.toString(8)}) or group (${settings.gid}) of ` +
          `the control socket "${bound.path}": ${text(error)} (network.socket)`,
      );
    }
    bound.mode = settings.mode;
    bound.gid = settings.gid;
    const reach = folderWarning(bound.path, settings.mode);
    if (reach) log.warn(reach);
  }

  async #unbind(bound: Bound): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => timer = setTimeout(resolve, CLOSE_WAIT_MS));
    await Promise.race([bound.server.shutdown().catch(() => {}), late]);
    clearTimeout(timer);
  }
}

/** Creates the socket's folder (0700) when it is missing. */
async function ensureFolder(folder: string): Promise<void> {
  try {
    await Deno.mkdir(folder, { recursive: true, mode: 0o700 });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return;
    throw new ControlSocketError(
      `cannot create the folder "${folder}" of the control socket: ${text(error)}`,
    );
  }
}

/** Removes the socket a dead sup left at `path`; throws when a live sup answers there. */
async function clearLeftover(path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch {
    return; // nothing there
  }
  if (!info.isSocket) {
    throw new ControlSocketError(
      `"${path}" exists and is not a socket: move it away, or set network.socket.path`,
    );
  }
  const probe = await probeSocket(path);
  if (probe.kind === "live") {
    const who = probe.info
      ? `sup ${probe.info.pid} (name "${probe.info.name}", config "${probe.info.config}")`
      : "another sup";
    throw new ControlSocketError(
      `${who} already answers on the control socket "${path}": give this config another ` +
        `network.name (or network.socket.path)`,
    );
  }
  await Deno.remove(path).catch(() => {});
  log.warn(`Removed the control socket "${path}" that a sup which died left behind`);
}

/** A warning when `mode` opens the socket to its group or others but its folder does not let them in. */
export function folderWarning(path: string, mode: number): string | null {
  const folder = dirname(path);
  let folderMode: number;
  try {
    folderMode = (Deno.statSync(folder).mode ?? 0) & 0o777;
  } catch {
    return null;
  }
  const group = (mode & 0o060) !== 0 && (folderMode & 0o010) === 0;
  const others = (mode & 0o006) !== 0 && (folderMode & 0o001) === 0;
  if (!group && !others) return null;
  return `network.socket.mode 0o${mode.toString(8)} opens the control socket "${path}" to ` +
    `${group ? "its group" : "other users"}, but its folder "${folder}" (mode 0o${
      folderMode.toString(8)
    }) does not let them in: set network.socket.path in a folder they can reach`;
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
