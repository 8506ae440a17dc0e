/**
 * Where a sup's control socket is: `network.socket.path` when the config
 * sets it, else `<name>.sock` beside the runtime state file (in
 * `$SUP_STATE_DIR`, `$XDG_RUNTIME_DIR/sup` or `/run/sup`, whichever sup can
 * write first), else `.<name>.sock` next to the config. `<name>` is
 * `network.name` or derived from the config path (`supName`). Where that
 * path would pass the kernel's 107 bytes (a deep state folder), the name is
 * shortened to the config path's hash: sup must not refuse to run its jobs
 * for the length of its control socket's name (`sup status --config` finds
 * it all the same; only `--name` does not).
 *
 * @module
 */

import { dirname } from "node:path";
import type { ResolvedConfig } from "../config/resolved.ts";
import { MAX_SOCKET_PATH_BYTES, pathHash, supName } from "../config/resolved_control.ts";

/** The file name ending of control sockets. */
export const SOCKET_SUFFIX = ".sock";

/**
 * The control socket of `config`, for the sup whose runtime state file is
 * `stateFile`; null when `network.socket` is false.
 */
export function socketPath(config: ResolvedConfig, stateFile: string): string | null {
  const socket = config.network.socket;
  if (socket === null) return null;
  if (socket.path !== null) return socket.path;
  const name = supName(config.source, config.network.name);
  const folder = dirname(stateFile);
  // Next to the config (no runtime folder was writable): hidden, as the state file is.
  const hidden = stateFile.endsWith(".sup-state.json");
  const path = `${folder}/${hidden ? "." : ""}${name}${SOCKET_SUFFIX}`;
  if (new TextEncoder().encode(path).length <= MAX_SOCKET_PATH_BYTES) return path;
  return `${folder}/${hidden ? "." : ""}${pathHash(config.source)}${SOCKET_SUFFIX}`;
}

/** The socket a config's folder holds when no runtime folder was writable. */
export function besideConfigSocket(configPath: string, name: string): string {
  return `${dirname(configPath)}/.${name}${SOCKET_SUFFIX}`;
}
