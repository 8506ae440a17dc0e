/**
 * The Linux UDP socket over libc (see `udp_socket.ts` for why): a 16 MB
 * receive buffer and `recvmmsg(2)` in a non-blocking FFI call (run on
 * Deno's blocking thread pool), so each wake-up of JavaScript handles up to
 * `SLOTS` datagrams. Datagrams longer than `SLOT_BYTES` arrive truncated and
 * are flagged so.
 *
 * @module
 */

import { ip4Bytes, ip6Bytes, ipText } from "./ip_literal.ts";
import { openNodeUdp } from "./udp_node.ts";
import type { UdpOptions, UdpPeer, UdpSocket } from "./udp_socket.ts";

/** Datagrams taken per wake-up. */
export const SLOTS = 128;
/** Longest datagram received whole. */
export const SLOT_BYTES = 16_384;

const AF_INET = 2, AF_INET6 = 10, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
const SOL_SOCKET = 1, SO_RCVBUF = 8, SO_RCVBUFFORCE = 33;
const MSG_WAITFORONE = 0x10000, MSG_TRUNC = 0x20, MSG_DONTWAIT = 0x40;
const RCVBUF = 16 << 20;
const NAME = 32; // room for sockaddr_in6 (28)
const HDR = 64; // sizeof(struct mmsghdr) on 64-bit Linux

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  recvmmsg: {
    parameters: ["i32", "pointer", "u32", "i32", "pointer"],
    result: "i32",
    nonblocking: true,
  },
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** errno names for the bind failures a user can act on. */
const BIND_ERRORS: Record<number, string> = {
  13: "permission denied (EACCES: a port below 1024 needs root or CAP_NET_BIND_SERVICE)",
  98: "address already in use (EADDRINUSE: another program listens on this UDP port)",
  99: "address not available (EADDRNOTAVAIL: not an address of this machine)",
};
/** Longest wait for a pending receive to end on close. */
const CLOSE_WAIT_MS = 2000;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>;
let libc: Libc | null | undefined;

function load(): Libc | null {
  if (libc !== undefined) return libc;
  // Never prompt: without FFI permission use node:dgram.
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return libc = null;
  try {
    libc = Deno.dlopen("libc.so.6", SYMBOLS);
  } catch {
    libc = null; // not glibc, or FFI not allowed
  }
  return libc;
}

function sockaddr(host: string, port: number): Uint8Array | null {
  const v4 = ip4Bytes(host);
  const v6 = v4 ? null : ip6Bytes(host);
  if (!v4 && !v6) return null;
  const sa = new Uint8Array(v4 ? 16 : 28);
  const view = new DataView(sa.buffer);
  view.setUint16(0, v4 ? AF_INET : AF_INET6, true);
  view.setUint16(2, port, false);
  if (v4) sa.set(v4, 4);
  else sa.set(v6!, 8);
  return sa;
}

const ptr = (a: Uint8Array) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(a)));

/**
 * Binds `host:port` (an IP literal) over libc; null when libc or FFI is not
 * available or `host` is not an IP literal (use `node:dgram` then). Throws
 * when the address cannot be bound.
 */
export function openFfiUdp(options: UdpOptions): UdpSocket | null {
  const c = load();
  const local = sockaddr(options.host, options.port);
  if (!c || !local) return null;
  const { onDatagram, onError } = options;
  const s = c.symbols;
  const fd = s.socket(local.length === 16 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return null;
  const size = new Uint8Array(new Int32Array([RCVBUF]).buffer);
  if (s.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4) !== 0) {
    s.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size, 4); // capped at net.core.rmem_max
  }
  if (s.bind(fd, local, local.length) !== 0) {
    const errno = readErrno(c); // read at once: the call ran on this thread
    s.close(fd);
    const why = BIND_ERRORS[errno] ?? `bind failed with errno ${errno}`;
    throw new Error(`cannot bind ${options.host}:${options.port}/udp: ${why}`);
  }
  const bound = new Uint8Array(NAME);
  s.getsockname(fd, bound, new Uint8Array(new Uint32Array([NAME]).buffer));
  const port = new DataView(bound.buffer).getUint16(2, false);

  const data = new Uint8Array(SLOTS * SLOT_BYTES);
  const names = new Uint8Array(SLOTS * NAME);
  const iov = new BigUint64Array(SLOTS * 2);
  const hdrBytes = new Uint8Array(SLOTS * HDR);
  const hdr = new DataView(hdrBytes.buffer);
  const dataP = ptr(data), namesP = ptr(names), iovP = ptr(new Uint8Array(iov.buffer));
  for (let i = 0; i < SLOTS; i++) {
    iov[2 * i] = dataP + BigInt(i * SLOT_BYTES);
    iov[2 * i + 1] = BigInt(SLOT_BYTES);
    hdr.setBigUint64(i * HDR, namesP + BigInt(i * NAME), true); // msg_name
    hdr.setBigUint64(i * HDR + 16, iovP + BigInt(i * 16), true); // msg_iov
    hdr.setBigUint64(i * HDR + 24, 1n, true); // msg_iovlen
  }
  const hdrP = Deno.UnsafePointer.of(hdrBytes);
  // The kernel writes into these through raw pointers: they must outlive the socket.
  let pinned: unknown[] | null = [data, names, iov, hdrBytes];
  const peer = new SlotPeer(names);
  let closing = false;
  let fallback: Promise<UdpSocket> | null = null;

  const loop = (async () => {
    let failures = 0;
    while (!closing && pinned !== null) {
      for (let i = 0; i < SLOTS; i++) hdr.setUint32(i * HDR + 8, NAME, true); // msg_namelen
      const n = await s.recvmmsg(fd, hdrP, SLOTS, MSG_WAITFORONE, null);
      if (closing) break;
      if (n < 0) {
        // errno lives on the worker thread; EINTR is the usual cause. Back off if it persists.
        if (++failures > 3) {
          if (failures === 4) onError("OSC socket: recvmmsg keeps failing; retrying");
          await new Promise((r) => setTimeout(r, 50));
        }
        continue;
      }
      failures = 0;
      for (let i = 0; i < n; i++) {
        const o = i * HDR;
        const len = Math.min(hdr.getUint32(o + 56, true), SLOT_BYTES);
        const truncated = (hdr.getInt32(o + 48, true) & MSG_TRUNC) !== 0;
        peer.slot = i;
        try {
          onDatagram(data.subarray(i * SLOT_BYTES, i * SLOT_BYTES + len), peer, truncated);
        } catch (error) {
          // A throwing handler must not end the receive loop (or reject it unhandled).
          onError(`OSC socket: a datagram handler failed: ${error}`);
        }
      }
    }
  })();

  return {
    kind: "recvmmsg",
    port,
    send(bytes, toPort, toHost) {
      const to = sockaddr(toHost, toPort);
      if (!to || to.length !== local.length) {
        // A host name, or the other address family: node:dgram resolves and sends.
        fallback ??= openNodeUdp({
          host: local.length === 16 ? "0.0.0.0" : "::",
          port: 0,
          onDatagram: () => {},
          onError,
        });
        fallback.then((sock) => sock.send(bytes, toPort, toHost))
          .catch((error) => onError(`Cannot send to ${toHost}:${toPort}: ${error}`));
        return;
      }
      if (s.sendto(fd, bytes, BigInt(bytes.length), MSG_DONTWAIT, to, to.length) < 0) {
        onError(`Cannot send ${bytes.length} bytes to ${toHost}:${toPort}`);
      }
    },
    async close() {
      if (closing) return await loop;
      closing = true;
      s.shutdown(fd, 2); // wakes the pending recvmmsg
      const wake = sockaddr(local.length === 16 ? "127.0.0.1" : "::1", port)!;
      s.sendto(fd, new Uint8Array(0), 0n, MSG_DONTWAIT, wake, wake.length);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const ended = await Promise.race([
        loop.then(() => true, () => true),
        new Promise<false>((r) => timer = setTimeout(() => r(false), CLOSE_WAIT_MS)),
      ]);
      clearTimeout(timer);
      if (ended) {
        s.close(fd);
        pinned = null;
      } else {
        // The kernel may still write into the buffers: keep them and the fd (a leak, not a crash).
        onError(
          `OSC socket: a receive did not end within ${CLOSE_WAIT_MS}ms of close; fd left open`,
        );
      }
      if (fallback) await (await fallback.catch(() => null))?.close();
    },
  };
}

function readErrno(c: Libc): number {
  const at = c.symbols.__errno_location();
  return at === null ? -1 : new Deno.UnsafePointerView(at).getInt32();
}

/** The sender of the datagram in slot `slot`, read from its sockaddr on demand. */
class SlotPeer implements UdpPeer {
  slot = 0;
  #names: Uint8Array;
  constructor(names: Uint8Array) {
    this.#names = names;
  }
  get host(): string {
    return ipText(this.#names.subarray(this.slot * NAME, (this.slot + 1) * NAME));
  }
  get port(): number {
    const o = this.slot * NAME;
    return (this.#names[o + 2] << 8) | this.#names[o + 3];
  }
}
