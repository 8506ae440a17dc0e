/**
 * How a job finds sup: the addresses of sup's app channels, put in every
 * job's environment beside `SUP_JOB`, so `sup/client`, the samples and any
 * app can talk to sup without being told where it listens.
 *
 * - `SUP_OSC_HOST`, `SUP_OSC_PORT`: OSC over UDP (`network.osc`)
 * - `SUP_WS_URL`: the app WebSocket, e.g. `ws://127.0.0.1:3001/app`
 * - `SUP_HTTP_URL`: the HTTP API, e.g. `http://127.0.0.1:8888`
 *
 * An address bound to every interface (`0.0.0.0`, `::`) is given as the
 * loopback address of its family: that is where a local app reaches it.
 *
 * @module
 */

import type { ResolvedListen, ResolvedNetwork } from "../config/resolved.ts";

/** Where sup's channels listen: all `supEnvironment` needs of `ResolvedNetwork`. */
export interface ChannelAddresses {
  http: ResolvedListen;
  websocket: ResolvedListen;
  osc: ResolvedNetwork["osc"];
}

/** The variables sup adds to every job's environment (a job's own `env` wins). */
export function supEnvironment(network: ChannelAddresses): Record<string, string> {
  const osc = reachable(network.osc);
  return {
    SUP_OSC_HOST: osc.host,
    SUP_OSC_PORT: String(osc.port),
    SUP_WS_URL: `ws://${hostPort(reachable(network.websocket))}/app`,
    SUP_HTTP_URL: `http://${hostPort(reachable(network.http))}`,
  };
}

/** Where a local client connects to reach a listener bound to `at`. */
export function reachable(at: ResolvedListen): ResolvedListen {
  if (at.host === "0.0.0.0" || at.host === "") return { host: "127.0.0.1", port: at.port };
  if (at.host === "::" || at.host === "[::]") return { host: "::1", port: at.port };
  return { host: at.host.replace(/^\[(.*)\]$/, "$1"), port: at.port };
}

/** `host:port`, an IPv6 address in brackets (`[::1]:3001`). */
export function hostPort(at: ResolvedListen): string {
  return at.host.includes(":") ? `[${at.host}]:${at.port}` : `${at.host}:${at.port}`;
}
