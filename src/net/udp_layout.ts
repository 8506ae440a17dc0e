/**
 * The byte layout of the C structs `recvmmsg(2)` reads and writes, in one
 * table, and the pure encoders and decoders of socket addresses. The layout
 * is Linux's on 64-bit targets (x86_64 and aarch64 are both LP64 and lay
 * these structs out the same; Deno runs on no 32-bit Linux);
 * `udp_layout_test.ts` checks it against the C compiler when there is one.
 *
 * @module
 */

import { ip4Bytes, ip4Text, ip6Bytes, ip6Text } from "./ip_literal.ts";

/** Where a field sits in its struct: byte offset and size. */
export interface Field {
  readonly at: number;
  readonly bytes: number;
}

/** A struct: its size (with padding) and its fields. */
export interface Struct {
  readonly size: number;
  readonly fields: Readonly<Record<string, Field>>;
}

/** `<sys/socket.h>`, `<netinet/in.h>`, `<bits/types/struct_iovec.h>` on 64-bit Linux. */
export const LAYOUT = {
  /** `struct iovec`: one buffer. */
  iovec: {
    size: 16,
    fields: { iov_base: { at: 0, bytes: 8 }, iov_len: { at: 8, bytes: 8 } },
  },
  /** `struct msghdr`: one message's name (peer address), buffers, control data and flags. */
  msghdr: {
    size: 56,
    fields: {
      msg_name: { at: 0, bytes: 8 },
      msg_namelen: { at: 8, bytes: 4 },
      msg_iov: { at: 16, bytes: 8 },
      msg_iovlen: { at: 24, bytes: 8 },
      msg_control: { at: 32, bytes: 8 },
      msg_controllen: { at: 40, bytes: 8 },
      msg_flags: { at: 48, bytes: 4 },
    },
  },
  /** `struct mmsghdr`: a `msghdr` and the length the kernel received. */
  mmsghdr: {
    size: 64,
    fields: { msg_hdr: { at: 0, bytes: 56 }, msg_len: { at: 56, bytes: 4 } },
  },
  /** `struct sockaddr_in`; the port and address are big-endian. */
  sockaddr_in: {
    size: 16,
    fields: {
      sin_family: { at: 0, bytes: 2 },
      sin_port: { at: 2, bytes: 2 },
      sin_addr: { at: 4, bytes: 4 },
    },
  },
  /** `struct sockaddr_in6`; the port and address are big-endian. */
  sockaddr_in6: {
    size: 28,
    fields: {
      sin6_family: { at: 0, bytes: 2 },
      sin6_port: { at: 2, bytes: 2 },
      sin6_flowinfo: { at: 4, bytes: 4 },
      sin6_addr: { at: 8, bytes: 16 },
      sin6_scope_id: { at: 24, bytes: 4 },
    },
  },
} as const satisfies Record<string, Struct>;

/** Offsets into one `mmsghdr` (its `msghdr` starts at 0). */
export const MMSG = {
  size: LAYOUT.mmsghdr.size,
  name: LAYOUT.mmsghdr.fields.msg_hdr.at + LAYOUT.msghdr.fields.msg_name.at,
  namelen: LAYOUT.mmsghdr.fields.msg_hdr.at + LAYOUT.msghdr.fields.msg_namelen.at,
  iov: LAYOUT.mmsghdr.fields.msg_hdr.at + LAYOUT.msghdr.fields.msg_iov.at,
  iovlen: LAYOUT.mmsghdr.fields.msg_hdr.at + LAYOUT.msghdr.fields.msg_iovlen.at,
  flags: LAYOUT.mmsghdr.fields.msg_hdr.at + LAYOUT.msghdr.fields.msg_flags.at,
  len: LAYOUT.mmsghdr.fields.msg_len.at,
} as const;

/** Address families (`<bits/socket.h>`). */
export const AF_INET = 2, AF_INET6 = 10;

/** Room for the larger of the two socket addresses, rounded up to 8 bytes. */
export const SOCKADDR_SLOT = 32;

/** `host` (an IPv4 or IPv6 literal) and `port` as a `sockaddr_in`/`sockaddr_in6`; null for any other host. */
export function encodeSockaddr(host: string, port: number): Uint8Array | null {
  const v4 = ip4Bytes(host);
  if (v4 !== null) {
    const f = LAYOUT.sockaddr_in.fields;
    const sa = new Uint8Array(LAYOUT.sockaddr_in.size);
    const view = new DataView(sa.buffer);
    view.setUint16(f.sin_family.at, AF_INET, true);
    view.setUint16(f.sin_port.at, port, false);
    sa.set(v4, f.sin_addr.at);
    return sa;
  }
  const v6 = ip6Bytes(host);
  if (v6 === null) return null;
  const f = LAYOUT.sockaddr_in6.fields;
  const sa = new Uint8Array(LAYOUT.sockaddr_in6.size);
  const view = new DataView(sa.buffer);
  view.setUint16(f.sin6_family.at, AF_INET6, true);
  view.setUint16(f.sin6_port.at, port, false);
  sa.set(v6, f.sin6_addr.at);
  return sa;
}

/** The port of a `sockaddr_in`/`sockaddr_in6` at `offset` of `bytes` (same offset in both). */
export function sockaddrPort(bytes: Uint8Array, offset = 0): number {
  const at = offset + LAYOUT.sockaddr_in.fields.sin_port.at;
  return (bytes[at] << 8) | bytes[at + 1];
}

/** The family of the `sockaddr_in`/`sockaddr_in6` at `offset` of `bytes` (AF_INET or AF_INET6). */
export function sockaddrFamily(bytes: Uint8Array, offset = 0): number {
  const at = offset + LAYOUT.sockaddr_in.fields.sin_family.at;
  return bytes[at] | (bytes[at + 1] << 8);
}

/** The address of the `sockaddr_in`/`sockaddr_in6` at `offset` of `bytes` as text (IPv6 uncompressed). */
export function sockaddrHost(bytes: Uint8Array, offset = 0): string {
  return sockaddrFamily(bytes, offset) === AF_INET
    ? ip4Text(bytes, offset + LAYOUT.sockaddr_in.fields.sin_addr.at)
    : ip6Text(bytes, offset + LAYOUT.sockaddr_in6.fields.sin6_addr.at);
}
