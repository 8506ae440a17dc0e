/**
 * Which local user sent an app command: the owner of the client's socket,
 * found in `/proc/net/*` through `net/socket_owner.ts` (TCP for HTTP and
 * WebSocket, UDP for OSC). Also turns a served request's info into the
 * `AppPeer` addresses. Used for registrations, whose actions are bounded by
 * what that user may do.
 *
 * @module
 */

import type { AppPeer, PeerAddress } from "./app_command.ts";
import { tcpPeerUid, udpPeerUid } from "../net/socket_owner.ts";

/** Finds the uid of a command's sender, or null when it cannot be told. */
export type SenderUid = (peer: AppPeer) => number | null;

/** The real lookup over `/proc/net/{tcp,tcp6,udp,udp6}`. */
export const procSenderUid: SenderUid = (peer) => {
  if (peer.address === null) return null;
  if (peer.channel === "osc") return udpPeerUid(peer.address);
  if (peer.local === null) return null;
  return tcpPeerUid(peer.address, peer.local);
};

/** The remote and local addresses of a served request (`Deno.serve`'s info, `ListenSlot`'s `localAddr`). */
export function servedAddresses(
  info: { remoteAddr?: Deno.Addr; localAddr?: Deno.Addr } | undefined,
): { address: PeerAddress | null; local: PeerAddress | null } {
  return { address: netAddress(info?.remoteAddr), local: netAddress(info?.localAddr) };
}

function netAddress(addr: Deno.Addr | undefined): PeerAddress | null {
  if (addr === undefined || (addr.transport !== "tcp" && addr.transport !== "udp")) return null;
  return { host: addr.hostname, port: addr.port };
}
