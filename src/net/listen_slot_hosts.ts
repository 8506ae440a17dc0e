/**
 * Which names a listener answers to, and which web pages may talk to it. Pure.
 *
 * - `Host` (DNS rebinding): a page of `http://evil.example:8888` whose name
 *   the attacker re-points at 127.0.0.1 sends `Host: evil.example:8888`, so a
 *   request naming a host sup does not serve is refused. Served: any IP
 *   address (a rebinding attack always uses a name), `localhost`, the bind
 *   address, and the names the config lists; with any port.
 * - `Origin` (WebSocket): a page may connect when its origin is one of sup's
 *   own HTTP origins (`http://` + a loopback name, the bind address or a
 *   listed name + the HTTP port) or is listed; "null" (`file://`, sandboxed
 *   pages) only when listed, "*" admits all. No `Origin`: a program, served.
 *
 * @module
 */

/** What a listener serves. */
export interface ServedNames {
  /** The address it is bound to (e.g. "127.0.0.1", "0.0.0.0", "kiosk.local"): its name is served. */
  host: string;
  /** Extra names ("name" for any port, "name:port" for that port), e.g. `network.http.hosts`. */
  hosts: readonly string[];
}

/** Lower-cased host name of a `Host` header value or URL host, without port or brackets; its port or null. */
export function splitHost(value: string): { name: string; port: number | null } | null {
  const text = value.trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[^\s/:@?#[\]]+)(?::(\d{1,5}))?$/.exec(text);
  if (!match) return null;
  const name = match[1].startsWith("[") ? match[1].slice(1, -1) : match[1].replace(/\.$/, "");
  return { name, port: match[2] === undefined ? null : Number(match[2]) };
}

/** True for an IPv4 or IPv6 address literal (brackets already removed). */
export function isIpLiteral(name: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return name.split(".").every((p) => Number(p) < 256);
  return name.includes(":") && /^[0-9a-f:.]+$/.test(name);
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1"]);

/**
 * True when a request naming `hostHeader` is for this listener. A missing
 * header (HTTP/1.0 programs; browsers always send one) is served.
 */
export function servesHost(hostHeader: string | undefined | null, served: ServedNames): boolean {
  if (hostHeader === undefined || hostHeader === null) return true;
  const host = splitHost(hostHeader);
  if (host === null) return false;
  if (isIpLiteral(host.name) || LOOPBACK_NAMES.has(host.name)) return true;
  return namedBy(host, served);
}

/** True when `host` is the bind address or a listed name (with its port, if the entry has one). */
function namedBy(host: { name: string; port: number | null }, served: ServedNames): boolean {
  const bind = splitHost(served.host);
  if (bind !== null && bind.name === host.name) return true;
  for (const entry of served.hosts) {
    const listed = splitHost(entry);
    if (listed === null || listed.name !== host.name) continue;
    if (listed.port === null || listed.port === host.port) return true;
  }
  return false;
}

/** sup's own HTTP origins and the listed ones. */
export interface OriginPolicy {
  /** Where sup's HTTP API listens and what names it serves: pages from there are sup's own. */
  http: ServedNames & { port: number };
  /** Listed origins (`network.websocket.origins`): "http://host:port", "null", "*". */
  origins: readonly string[];
}

/** True when a page with `origin` may connect; no `Origin` (a program) may. */
export function allowsOrigin(origin: string | undefined | null, policy: OriginPolicy): boolean {
  if (origin === undefined || origin === null) return true;
  const listed = policy.origins;
  if (listed.includes("*")) return true;
  if (origin === "null") return listed.includes("null");
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (listed.some((entry) => entry !== "null" && sameOrigin(entry, url))) return true;
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  const port = url.port === "" ? (url.protocol === "http:" ? 80 : 443) : Number(url.port);
  if (port !== policy.http.port) return false;
  const host = splitHost(url.host);
  if (host === null) return false;
  return LOOPBACK_NAMES.has(host.name) || namedBy(host, policy.http);
}

function sameOrigin(entry: string, url: URL): boolean {
  try {
    return new URL(entry).origin === url.origin;
  } catch {
    return false;
  }
}

/** The 421 message for a `Host` not served, naming the setting that allows it. */
export function hostRefusal(host: string, what: string, setting: string): string {
  return `Host ${JSON.stringify(host)} is not a name the ${what} serves (it serves IP addresses, ` +
    `localhost and its bind address; a guard against DNS rebinding): list the name in ` +
    `${setting} to allow it`;
}

/** The 403 message for a web page whose origin may not connect, naming the setting that allows it. */
export function originRefusal(origin: string, setting: string): string {
  return `Refused a WebSocket from the web page at ${JSON.stringify(origin)}: only pages ` +
    `served by sup's HTTP API may connect; list the origin in ${setting} to allow it`;
}
