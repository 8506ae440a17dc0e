/**
 * Which local user owns the socket a loopback client talks from: the `uid`
 * column of `/proc/net/tcp`, `tcp6`, `udp` and `udp6` (Linux). A client
 * connecting to sup over TCP has a socket whose local address is the peer
 * address sup sees; a UDP sender has a socket bound to the port it sent from.
 * This is how sup tells which user sent a registration or a request, so that
 * a user can only ask for actions on their own processes.
 *
 * Addresses in those files are hex words in host byte order (little-endian
 * on x86_64 and aarch64, the machines sup runs on); ports are big-endian hex.
 *
 * @module
 */

import { ip4Bytes, ip6Bytes } from "./ip_literal.ts";

/** A socket address as sup's listeners report a peer. */
export interface SocketAddress {
  host: string;
  port: number;
}

/** One socket of a `/proc/net/*` table. */
export interface ProcSocket {
  /** Local address as 16 bytes (IPv4 as `::ffff:a.b.c.d`). */
  local: Uint8Array;
  localPort: number;
  remote: Uint8Array;
  remotePort: number;
  /** The TCP state as the kernel prints it ("01" established, "06" time-wait, "0A" listen...). */
  state: string;
  uid: number;
}

/** Parses one `/proc/net/{tcp,tcp6,udp,udp6}` table (header line first). */
export function parseProcNet(text: string): ProcSocket[] {
  const sockets: ProcSocket[] = [];
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    const local = procAddress(fields[1]);
    const remote = procAddress(fields[2]);
    const uid = Number(fields[7]);
    if (!local || !remote || !Number.isInteger(uid)) continue;
    sockets.push({
      local: local.bytes,
      localPort: local.port,
      remote: remote.bytes,
      remotePort: remote.port,
      state: fields[3],
      uid,
    });
  }
  return sockets;
}

/** `0100007F:1F90` or the 32-digit IPv6 form, as 16 bytes and a port. */
function procAddress(text: string): { bytes: Uint8Array; port: number } | null {
  const [hex, portHex] = text.split(":");
  if (portHex === undefined || !/^[0-9A-Fa-f]+$/.test(hex) || !/^[0-9A-Fa-f]{4}$/.test(portHex)) {
    return null;
  }
  const words = hex.length === 8 ? 1 : hex.length === 32 ? 4 : 0;
  if (words === 0) return null;
  const raw = new Uint8Array(words * 4);
  for (let w = 0; w < words; w++) {
    // Each 32-bit word is printed as a number in host (little-endian) order.
    const value = parseInt(hex.slice(w * 8, w * 8 + 8), 16);
    raw[w * 4] = value & 0xff;
    raw[w * 4 + 1] = (value >>> 8) & 0xff;
    raw[w * 4 + 2] = (value >>> 16) & 0xff;
    raw[w * 4 + 3] = (value >>> 24) & 0xff;
  }
  return { bytes: words === 1 ? mapped(raw) : raw, port: parseInt(portHex, 16) };
}

/** `a.b.c.d` as `::ffff:a.b.c.d`. */
function mapped(v4: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

/** A host literal as 16 bytes (IPv4 mapped), or null when it is not an IP literal. */
export function addressBytes(host: string): Uint8Array | null {
  const v4 = ip4Bytes(host);
  if (v4) return mapped(v4);
  const embedded = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  if (embedded) {
    const inner = ip4Bytes(embedded[1]);
    return inner ? mapped(inner) : null;
  }
  const v6 = ip6Bytes(host);
  if (!v6) return null;
  // `::ffff:a.b.c.d` written with an embedded IPv4 part is not parsed by ip6Bytes.
  return v6;
}

const ANY = new Uint8Array(16);
const ANY4 = mapped(new Uint8Array(4));

function same(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * TCP states whose sockets a live client owns: established, or closing on
 * the client's side. Time-wait and other kernel-held rows print uid 0 and
 * must never vouch for a sender.
 */
const CLIENT_STATES = new Set(["01", "04", "05", "08"]);

/**
 * The uid owning the TCP socket connected from `peer` to `server` (as seen
 * by the server), or null when no such socket is listed (not local, gone) or
 * when rows disagree. A `server` host of "0.0.0.0" or "::" (a wildcard bind)
 * matches any address the client connected to on that port.
 */
export function tcpPeerUid(
  peer: SocketAddress,
  server: SocketAddress,
  read: (path: string) => string = readProc,
): number | null {
  const p = addressBytes(unbracket(peer.host));
  const s = addressBytes(unbracket(server.host));
  if (!p || !s) return null;
  const anyServer = same(s, ANY) || same(s, ANY4);
  const uids = new Set<number>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const sock of parseProcNet(read(table))) {
      if (
        sock.localPort === peer.port && sock.remotePort === server.port &&
        CLIENT_STATES.has(sock.state) && same(sock.local, p) &&
        (anyServer || same(sock.remote, s))
      ) uids.add(sock.uid);
    }
  }
  return only(uids);
}

/**
 * The uid owning the UDP socket a datagram came from: the socket bound to
 * `peer`'s port, on `peer`'s address or on the any-address. Null when none
 * is listed (the sender closed it already, or it is not on this machine), or
 * when sockets of several users share that port (SO_REUSEADDR): then the
 * sender cannot be told.
 */
export function udpPeerUid(
  peer: SocketAddress,
  read: (path: string) => string = readProc,
): number | null {
  const p = addressBytes(unbracket(peer.host));
  if (!p) return null;
  const uids = new Set<number>();
  for (const table of ["/proc/net/udp", "/proc/net/udp6"]) {
    for (const sock of parseProcNet(read(table))) {
      if (sock.localPort !== peer.port) continue;
      if (same(sock.local, p) || same(sock.local, ANY) || same(sock.local, ANY4)) {
        uids.add(sock.uid);
      }
    }
  }
  return only(uids);
}

/** The one uid of `uids`, or null when there are none or several. */
function only(uids: Set<number>): number | null {
  if (uids.size !== 1) return null;
  const [uid] = uids;
  return uid;
}

/** A command's sender as channels describe it (`AppPeer` fits). */
export interface SocketPeer {
  readonly channel: string;
  readonly address: SocketAddress | null;
  readonly local: SocketAddress | null;
}

/**
 * The uid of the local user who sent over `peer`: the owner of its UDP
 * socket for OSC, of its TCP connection to `peer.local` for HTTP and
 * WebSocket; null when it cannot be told.
 */
export function socketOwnerUid(peer: SocketPeer): number | null {
  if (peer.address === null) return null;
  if (peer.channel === "osc") return udpPeerUid(peer.address);
  if (peer.local === null) return null;
  return tcpPeerUid(peer.address, peer.local);
}

function unbracket(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

function readProc(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}
