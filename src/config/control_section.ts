/**
 * Validates and resolves the control socket's settings: `network.name` and
 * `network.socket` (issue 10). Called from `body.ts` beside `readNetwork`.
 *
 * @module
 */

import { resolve } from "node:path";
import type { Accounts } from "./accounts.ts";
import type { IssueList } from "./config_error.ts";
import { type AllKeys, describe, Fields } from "./fields.ts";
import { readIds } from "./job_fields.ts";
import {
  defaultControlNetwork,
  MAX_SOCKET_PATH_BYTES,
  type ResolvedControlNetwork,
  type ResolvedSocket,
} from "./resolved_control.ts";
export { MAX_SOCKET_PATH_BYTES } from "./resolved_control.ts";
import type { SocketConfig } from "./types_control.ts";

const SOCKET_KEYS = ["path", "mode", "group"] as const;
const _socket: AllKeys<SocketConfig, typeof SOCKET_KEYS[number]> = true;

/** What a name of sup may hold: it becomes a file name. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Reads `network.name` and `network.socket` of the `network` section `value`. */
export function readControlNetwork(
  value: unknown,
  issues: IssueList,
  path: string,
  dir: string,
  accounts: Accounts,
): ResolvedControlNetwork {
  // readNetwork reports a `network` that is not an object.
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return defaultControlNetwork();
  }
  const f = new Fields(value as Record<string, unknown>, path, issues);
  const name = f.string("name", null);
  if (name !== null && !NAME.test(name)) {
    f.fail(
      "name",
      `${describe(name)} is not a name for sup (letters, digits, ".", "_" and "-", ` +
        `at most 64, starting with a letter or digit; e.g. "kiosk")`,
    );
  }
  return {
    name: name !== null && NAME.test(name) ? name : null,
    socket: readSocket(f, dir, accounts),
  };
}

function readSocket(network: Fields, dir: string, accounts: Accounts): ResolvedSocket | null {
  if (network.obj.socket === false) return null;
  const defaults = defaultControlNetwork().socket!;
  const f = network.object("socket", "an object ({ path, mode, group }) or false");
  if (!f) return defaults;
  f.keys(SOCKET_KEYS);
  let path: string | null = null;
  const raw = f.string("path", null);
  if (raw !== null) {
    path = resolve(dir, raw);
    const bytes = new TextEncoder().encode(path).length;
    if (bytes > MAX_SOCKET_PATH_BYTES) {
      f.fail(
        "path",
        `"${path}" is ${bytes} bytes long; a socket path may have at most ` +
          `${MAX_SOCKET_PATH_BYTES} (choose a shorter one, e.g. "/run/sup/kiosk.sock")`,
      );
      path = null;
    } else if (path.endsWith("/")) {
      f.fail("path", `"${raw}" names a folder (expected a file path, e.g. "/run/sup/kiosk.sock")`);
      path = null;
    }
  }
  const mode = f.whole("mode", defaults.mode, 0, 0o777);
  if ((mode & 0o600) !== 0o600) {
    f.fail("mode", `must let sup's user read and write (include 0o600), got 0o${mode.toString(8)}`);
  }
  const gid = f.has("group") ? readIds(f, accounts).gid : null;
  return { path, mode: (mode & 0o600) === 0o600 ? mode : defaults.mode, gid };
}
