/**
 * The UDP socket of the OSC channel (thin adapter). Two implementations of
 * one small interface:
 *
 * - Linux: libc through `Deno.dlopen` (stable FFI, part of `-A`): a 16 MB
 *   receive buffer and `recvmmsg(2)` run off the main thread, so one wake-up
 *   of JavaScript takes a whole batch of datagrams. Measured here, `node:dgram`
 *   on Deno 2.9 wakes JavaScript once per datagram with the kernel's default
 *   208 KB buffer (`setRecvBufferSize` breaks its receive loop) and dropped
 *   over 40% of 60,000 heartbeats/s on a loaded 2-core machine; this path
 *   dropped none at 100,000/s.
 * - Elsewhere, or when FFI is not allowed, or with `SUP_UDP=node`: `node:dgram`.
 *
 * @module
 */

import { openFfiUdp } from "./udp_ffi.ts";
import { openNodeUdp } from "./udp_node.ts";

/** The sender of a datagram; valid only during the handler call (reused). */
export interface UdpPeer {
  readonly host: string;
  readonly port: number;
}

/**
 * Called for each datagram; `bytes` and `peer` are valid only during the call
 * (views of reused buffers). `truncated`: the datagram was longer than the
 * socket takes whole, `bytes` is its start.
 */
export type DatagramHandler = (bytes: Uint8Array, peer: UdpPeer, truncated: boolean) => void;

/** A bound UDP socket. */
export interface UdpSocket {
  /** Which implementation: "recvmmsg" or "node:dgram". */
  readonly kind: string;
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  /** Sends one datagram; never throws (failures go to `onError`). */
  send(bytes: Uint8Array, port: number, host: string): void;
  /** Stops receiving and closes; resolves when no receive is pending. */
  close(): Promise<void>;
}

/** What opening a socket needs. */
export interface UdpOptions {
  host: string;
  port: number;
  onDatagram: DatagramHandler;
  onError: (message: string) => void;
}

/** Binds `host:port`; rejects with the OS's reason when it cannot. */
export async function openUdp(options: UdpOptions): Promise<UdpSocket> {
  if (Deno.build.os === "linux" && Deno.env.get("SUP_UDP") !== "node") {
    const socket = openFfiUdp(options);
    if (socket !== null) return socket;
  }
  return await openNodeUdp(options);
}
