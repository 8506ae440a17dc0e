/**
 * sup's three listeners (the HTTP API, the app WebSocket, OSC over UDP) as
 * `sup run` sees them: which setting each follows, where it is bound, whether
 * an address can be bound before sup commits to it, and one log format for
 * all three. A port sup cannot bind at start is a startup error; on a reload
 * it is refused like an invalid edit (the old listener stays).
 *
 * @module
 */

import dgram from "node:dgram";
import type { ConfigIssue } from "../config/config_error.ts";
import type { ResolvedConfig, ResolvedListen, ResolvedNetwork } from "../config/resolved.ts";
import type { Component } from "../core/component.ts";
import { hostPort } from "../core/sup_env.ts";

/** Which `network` setting a listener follows. */
export type ListenSetting = "http" | "websocket" | "osc";

/** One of sup's listeners. */
export interface Listener {
  /** The setting under `network`. */
  setting: ListenSetting;
  /** Human name, e.g. "HTTP API". */
  what: string;
  protocol: "tcp" | "udp";
  /** The component that binds it (applied before any job starts). */
  component: Component & { readonly addr: ResolvedListen | null };
}

/** The listeners of the app side, in start order. */
export function appListeners(side: {
  http: Listener["component"];
  websocket: Listener["component"];
  osc: Listener["component"];
}): Listener[] {
  return [
    { setting: "http", what: "HTTP API", protocol: "tcp", component: side.http },
    { setting: "websocket", what: "app WebSocket", protocol: "tcp", component: side.websocket },
    { setting: "osc", what: "OSC channel", protocol: "udp", component: side.osc },
  ];
}

/** What `network.<setting>` asks for. */
function asked(network: ResolvedNetwork, setting: ListenSetting): ResolvedListen {
  const { host, port } = network[setting];
  return { host, port };
}

/** The line logged for a listener bound at `addr`, the same for all three. */
export function listeningLine(listener: Listener, addr: ResolvedListen): string {
  return `${listener.what} listening on ${hostPort(addr)}/${listener.protocol} ` +
    `(network.${listener.setting})`;
}

/**
 * The lines to log for listeners bound now: all of them (`before` null, at
 * start) or those whose address differs from `before` (after a reload).
 */
export function listeningLines(
  listeners: Listener[],
  before: (ResolvedListen | null)[] | null,
): string[] {
  return listeners.flatMap((listener, i) => {
    const addr = listener.component.addr;
    const was = before?.[i];
    if (addr === null || (was && was.host === addr.host && was.port === addr.port)) return [];
    return [listeningLine(listener, addr)];
  });
}

/** Why `listener` cannot bind `at`, as a config issue naming the setting. */
function issue(listener: Listener, at: ResolvedListen, detail: string): ConfigIssue {
  const setting = `network.${listener.setting}`;
  return {
    path: `${setting}.port`,
    message: `cannot listen for the ${listener.what} on ${hostPort(at)}/${listener.protocol}: ` +
      `${detail}; choose a free port in ${setting}.port (or another ${setting}.host)`,
  };
}

/**
 * The addresses of `next` that cannot be bound now, as config issues. Only
 * addresses that differ from `current` (null at start: all) are tried; one
 * whose port a listener of sup holds already is left to that listener.
 */
export async function unbindable(
  listeners: Listener[],
  next: ResolvedNetwork,
  current: ResolvedNetwork | null,
): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = [];
  for (const listener of listeners) {
    const at = asked(next, listener.setting);
    const was = current ? asked(current, listener.setting) : null;
    if (was && was.host === at.host && was.port === at.port) continue;
    if (at.port !== 0 && listener.component.addr?.port === at.port) continue;
    const error = listener.protocol === "tcp" ? tryTcp(at) : await tryUdp(at);
    if (error !== null) issues.push(issue(listener, at, error));
  }
  return issues;
}

/** Listeners that did not bind what `config` asks for (e.g. a port taken since it was tried). */
export function notListening(listeners: Listener[], config: ResolvedConfig): ConfigIssue[] {
  return listeners.flatMap((listener) => {
    if (listener.component.addr !== null) return [];
    const why = "it is in use or not an address of this machine (see the error above)";
    return [issue(listener, asked(config.network, listener.setting), why)];
  });
}

/** `network` with the ports actually bound (a port 0 becomes the one the system picked). */
export function boundNetwork(listeners: Listener[], network: ResolvedNetwork): ResolvedNetwork {
  const bound = { ...network, osc: { ...network.osc } };
  for (const listener of listeners) {
    const addr = listener.component.addr;
    if (addr) Object.assign(bound[listener.setting], { host: addr.host, port: addr.port });
  }
  return bound;
}

function tryTcp(at: ResolvedListen): string | null {
  try {
    Deno.listen({ hostname: at.host, port: at.port, transport: "tcp" }).close();
    return null;
  } catch (error) {
    return describe(error);
  }
}

/** How long a probed UDP port is left to be released. */
const RELEASE_MS = 10;

function tryUdp(at: ResolvedListen): Promise<string | null> {
  return new Promise((resolve) => {
    let socket: dgram.Socket;
    try {
      socket = dgram.createSocket(at.host.includes(":") ? "udp6" : "udp4");
    } catch (error) {
      return resolve(describe(error));
    }
    // Deno's node:dgram frees the port when its pending receive ends, an event-loop turn
    // after `close`'s callback: give it that turn (and some) before the real bind.
    const done = (result: string | null) =>
      socket.close(() => setTimeout(() => resolve(result), RELEASE_MS));
    socket.once("error", (error) => done(describe(error)));
    socket.bind(at.port, at.host, () => done(null));
  });
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/in use|EADDRINUSE/i.test(text)) return "the port is in use by another program";
  if (/not available|EADDRNOTAVAIL|Cannot assign/i.test(text)) {
    return "the address is not one of this machine's";
  }
  if (/denied|EACCES/i.test(text)) return `permission denied (${text})`;
  return text;
}
