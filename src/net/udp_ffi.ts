/**
 * The Linux UDP receiver over libc (see `udp_socket.ts` for why): a 16 MB
 * receive buffer and `recvmmsg(2)` in a non-blocking FFI call (run on
 * Deno's blocking thread pool), so each wake-up of JavaScript handles up to
 * `SLOTS` datagrams, handled `DATAGRAMS_PER_TURN` per event-loop turn.
 * Datagrams longer than `SLOT_BYTES` arrive truncated and
 * are flagged so. It only receives: `udp_socket.ts` pairs it with one sender.
 * The structs it hands the kernel are laid out by `udp_layout.ts`'s table.
 *
 * @module
 */

import {
  AF_INET,
  AF_INET6,
  encodeSockaddr,
  LAYOUT,
  MMSG,
  SOCKADDR_SLOT,
  sockaddrHost,
  sockaddrPort,
} from "./udp_layout.ts";
import { setImmediate } from "node:timers";
import { Libc } from "./udp_libc.ts";
import type { DatagramHandler, UdpOptions, UdpPeer, UdpReceiver } from "./udp_socket.ts";

/** Datagrams taken per wake-up. */
export const SLOTS = 128;
/** Longest datagram received whole. */
export const SLOT_BYTES = 16_384;
/**
 * Datagrams handled per event-loop turn: after this many the receiver
 * yields (`setImmediate`, about 5 µs) so timers and process exits are served
 * between batches even under a flood; a restart keeps its latency.
 */
export const DATAGRAMS_PER_TURN = 32;

/** One event-loop turn: timers, I/O and child exits run before the promise resolves. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
const SOL_SOCKET = 1, SO_RCVBUF = 8, SO_RCVBUFFORCE = 33, SHUT_RDWR = 2;
const MSG_WAITFORONE = 0x10000, MSG_TRUNC = 0x20;
const RCVBUF = 16 << 20;
/** Longest wait for a pending receive to end on close. */
const CLOSE_WAIT_MS = 2000;
// Read per datagram: plain numbers, not property lookups.
const HDR = MMSG.size, LEN_AT = MMSG.len, FLAGS_AT = MMSG.flags, NAMELEN_AT = MMSG.namelen;

/** errno names for the bind failures a user can act on. */
const BIND_ERRORS: Record<number, string> = {
  13: "permission denied (EACCES: a port below 1024 needs root or CAP_NET_BIND_SERVICE)",
  98: "address already in use (EADDRINUSE: another program listens on this UDP port)",
  99: "address not available (EADDRNOTAVAIL: not an address of this machine)",
};

/**
 * Binds `host:port` (an IP literal) over libc and starts receiving; null
 * when libc or FFI is not available or `host` is not an IP literal (use
 * `node:dgram` then). Throws when the address cannot be bound.
 */
export function openFfiReceiver(options: UdpOptions): FfiReceiver | null {
  const local = encodeSockaddr(options.host, options.port);
  if (local === null) return null;
  const libc = Libc.open();
  if (libc === null) return null;
  let fd: number | null;
  try {
    fd = bindSocket(libc, local, options);
  } catch (error) {
    libc.close();
    throw error;
  }
  if (fd === null) {
    libc.close();
    return null;
  }
  return new FfiReceiver(libc, fd, options);
}

/** A bound socket's fd; null when no socket could be made; throws when bind fails. */
function bindSocket(libc: Libc, local: Uint8Array, options: UdpOptions): number | null {
  const s = libc.symbols;
  const family = local.length === LAYOUT.sockaddr_in.size ? AF_INET : AF_INET6;
  const fd = s.socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return null;
  const size = new Uint8Array(new Int32Array([RCVBUF]).buffer);
  if (s.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4) !== 0) {
    s.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size, 4); // capped at net.core.rmem_max
  }
  if (s.bind(fd, local, local.length) !== 0) {
    const errno = libc.errno(); // read at once: the call ran on this thread
    s.close(fd);
    const why = BIND_ERRORS[errno] ?? `bind failed with errno ${errno}`;
    throw new Error(`cannot bind ${options.host}:${options.port}/udp: ${why}`);
  }
  return fd;
}

/** A socket receiving with `recvmmsg`; owns its fd, its libc handle and the buffers the kernel fills. */
export class FfiReceiver implements UdpReceiver {
  /** Which implementation. */
  readonly kind = "recvmmsg";
  /** The bound port. */
  readonly port: number;
  /** The socket's file descriptor (open until the pending receive has ended after `close`). */
  readonly fd: number;
  readonly #libc: Libc;
  readonly #onError: (message: string) => void;
  #closing = false;
  #closed: Promise<void> | null = null;
  readonly #loop: Promise<void>;

  /** Starts receiving on `fd` (bound); see `openFfiReceiver`. */
  constructor(libc: Libc, fd: number, options: UdpOptions) {
    this.#libc = libc;
    this.fd = fd;
    this.#onError = options.onError;
    const bound = new Uint8Array(SOCKADDR_SLOT);
    libc.symbols.getsockname(fd, bound, new Uint8Array(new Uint32Array([SOCKADDR_SLOT]).buffer));
    this.port = sockaddrPort(bound);
    this.#loop = this.#receive(new MmsgRing(), options.onDatagram);
  }

  /**
   * Stops receiving. Resolves once the pending receive has ended and the fd
   * is closed, or after 2 s at most: then the fd is closed (and the buffers
   * the kernel may still fill are let go) as soon as that receive returns.
   */
  close(): Promise<void> {
    if (this.#closed === null) {
      this.#closing = true;
      this.#libc.symbols.shutdown(this.fd, SHUT_RDWR); // wakes the pending recvmmsg
      this.#closed = releaseWhenEnded(
        this.#loop,
        CLOSE_WAIT_MS,
        () => this.#release(),
        () =>
          this.#onError(
            `OSC socket: a receive did not end within ${CLOSE_WAIT_MS}ms of close; ` +
              `its fd will be closed when it does`,
          ),
      );
    }
    return this.#closed;
  }

  #release(): void {
    this.#libc.symbols.close(this.fd);
    this.#libc.close();
  }

  async #receive(ring: MmsgRing, onDatagram: DatagramHandler): Promise<void> {
    const recvmmsg = this.#libc.symbols.recvmmsg;
    const peer = new SlotPeer(ring.names);
    const hdr = ring.headers;
    let failures = 0;
    while (!this.#closing) {
      for (let i = 0; i < SLOTS; i++) hdr.setUint32(i * HDR + NAMELEN_AT, SOCKADDR_SLOT, true);
      const n = await recvmmsg(this.fd, ring.pointer, SLOTS, MSG_WAITFORONE, null);
      if (this.#closing) break;
      if (n < 0) {
        // errno lives on the worker thread; EINTR is the usual cause. Back off if it persists.
        if (++failures > 3) {
          if (failures === 4) this.#onError("OSC socket: recvmmsg keeps failing; retrying");
          await new Promise((r) => setTimeout(r, 50));
        }
        continue;
      }
      failures = 0;
      for (let i = 0; i < n; i++) {
        if (i > 0 && i % DATAGRAMS_PER_TURN === 0) {
          await nextTurn(); // The ring is not refilled before the next recvmmsg: views stay valid.
          if (this.#closing) break;
        }
        const o = i * HDR;
        const len = Math.min(hdr.getUint32(o + LEN_AT, true), SLOT_BYTES);
        const truncated = (hdr.getInt32(o + FLAGS_AT, true) & MSG_TRUNC) !== 0;
        peer.slot = i;
        try {
          onDatagram(ring.data.subarray(i * SLOT_BYTES, i * SLOT_BYTES + len), peer, truncated);
        } catch (error) {
          // A throwing handler must not end the receive loop (or reject it unhandled).
          this.#onError(`OSC socket: a datagram handler failed: ${error}`);
        }
      }
    }
  }
}

/**
 * Runs `release` once `ended` settles, whenever that is; resolves when it
 * has run, or after `waitMs`, calling `onLate` (the release still follows).
 */
export async function releaseWhenEnded(
  ended: Promise<unknown>,
  waitMs: number,
  release: () => void,
  onLate: () => void,
): Promise<void> {
  const released = ended.then(release, release);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const inTime = await Promise.race([
    released.then(() => true, () => true),
    new Promise<false>((r) => timer = setTimeout(() => r(false), waitMs)),
  ]);
  clearTimeout(timer);
  if (!inTime) onLate();
}

/**
 * The `SLOTS` message headers, buffers and address slots handed to
 * `recvmmsg`, wired to each other through raw pointers as `LAYOUT` says.
 * The kernel writes into them: they must live until the last receive ended.
 */
class MmsgRing {
  /** `SLOTS` × `SLOT_BYTES` of datagram bytes. */
  readonly data = new Uint8Array(SLOTS * SLOT_BYTES);
  /** `SLOTS` × `SOCKADDR_SLOT` of sender addresses. */
  readonly names = new Uint8Array(SLOTS * SOCKADDR_SLOT);
  /** `SLOTS` iovecs, one buffer each. */
  readonly iovecs = new Uint8Array(SLOTS * LAYOUT.iovec.size);
  /** `SLOTS` mmsghdrs. */
  readonly headers: DataView;
  /** Where the mmsghdr array starts. */
  readonly pointer: Deno.PointerValue;

  constructor() {
    const headerBytes = new Uint8Array(SLOTS * HDR);
    this.headers = new DataView(headerBytes.buffer);
    const iov = new DataView(this.iovecs.buffer);
    const { iov_base, iov_len } = LAYOUT.iovec.fields;
    const dataP = address(this.data), namesP = address(this.names);
    const iovP = address(this.iovecs);
    for (let i = 0; i < SLOTS; i++) {
      const v = i * LAYOUT.iovec.size, h = i * HDR;
      iov.setBigUint64(v + iov_base.at, dataP + BigInt(i * SLOT_BYTES), true);
      iov.setBigUint64(v + iov_len.at, BigInt(SLOT_BYTES), true);
      this.headers.setBigUint64(h + MMSG.name, namesP + BigInt(i * SOCKADDR_SLOT), true);
      this.headers.setBigUint64(h + MMSG.iov, iovP + BigInt(v), true);
      this.headers.setBigUint64(h + MMSG.iovlen, 1n, true);
    }
    this.pointer = Deno.UnsafePointer.of(headerBytes);
  }
}

function address(bytes: Uint8Array): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));
}

/** The sender of the datagram in slot `slot`, read from its sockaddr on demand. */
class SlotPeer implements UdpPeer {
  slot = 0;
  readonly #names: Uint8Array;
  constructor(names: Uint8Array) {
    this.#names = names;
  }
  get host(): string {
    return sockaddrHost(this.#names, this.slot * SOCKADDR_SLOT);
  }
  get port(): number {
    return sockaddrPort(this.#names, this.slot * SOCKADDR_SLOT);
  }
}
