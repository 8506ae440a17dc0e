/**
 * The control socket's settings after validation (issue 10); part of
 * `ResolvedNetwork` (`resolved.ts`).
 *
 * @module
 */

/** `network.socket` resolved. */
export interface ResolvedSocket {
  /** Absolute path, or null for the default (`<state folder>/<name>.sock`). */
  path: string | null;
  /** Permissions of the socket file. */
  mode: number;
  /** Group of the socket file, or null for sup's own. */
  gid: number | null;
}

/** `network.name` and `network.socket`, resolved. */
export interface ResolvedControlNetwork {
  /** `network.name`, or null to derive it from the config path. */
  name: string | null;
  /** The control socket, or null when `network.socket` is false. */
  socket: ResolvedSocket | null;
}

/** `network.name` and `network.socket` when the config sets neither: a socket of mode 0600 in the default place. */
export function defaultControlNetwork(): ResolvedControlNetwork {
  return { name: null, socket: { path: null, mode: 0o600, gid: null } };
}

/** Config file names that say nothing of what they run: their folder names the sup instead. */
const GENERIC_STEMS = new Set(["config", "sup.config", "sup", "main", "index"]);

/**
 * The name of the sup running config `source`: `network.name` when set,
 * else derived from the path: the file's name without its extension (its
 * folder's name for a generic one such as `config.ts`), then `-` and a
 * hash of the whole path, so two configs never share a name.
 * `/opt/kiosk/config.ts` → `"kiosk-1a2b3c4d"`.
 */
export function supName(source: string, name: string | null): string {
  if (name !== null) return name;
  const parts = source.split("/").filter((p) => p !== "");
  const file = parts.at(-1) ?? "sup";
  let stem = file.replace(/\.(m?ts|m?js|toml|json)$/, "");
  if (GENERIC_STEMS.has(stem) && parts.length >= 2) stem = parts.at(-2)!;
  const clean = stem.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 40)
    .replace(/^[^A-Za-z0-9]+/, "").replace(/[^A-Za-z0-9]+$/, "");
  return `${clean || "sup"}-${pathHash(source)}`;
}

/** 8 hex digits of FNV-1a over `text` (the runtime state file's names use the same). */
export function pathHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/** Socket files allow at most 107 bytes of path (`sun_path` holds 108 with the final NUL). */
export const MAX_SOCKET_PATH_BYTES = 107;
