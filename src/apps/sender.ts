/**
 * Who sent an app command: the `AppPeer` addresses of a served request, and
 * the type of the lookup that finds the sender's local user (the owner of
 * the client's socket: `net/socket_owner.ts`'s `socketOwnerUid`, wired in by
 * `sup run`). Registrations' actions are bounded by what that user may do.
 *
 * @module
 */

import type { AppPeer, PeerAddress } from "./app_command.ts";

/**
 * Finds the uid of a command's sender, or null when it cannot be told. The
 * real one, over `/proc/net`, is `net/socket_owner.ts`'s `socketOwnerUid`,
 * given to the handler by `sup run`.
 */
export type SenderUid = (peer: AppPeer) => number | null;

/** The default: no sender can be told, so no registration may name a pid to kill. */
export const unknownSender: SenderUid = () => null;

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
