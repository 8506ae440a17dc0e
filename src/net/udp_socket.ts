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
 * FFI only receives. Every send goes through one sender: the `node:dgram`
 * socket itself on the portable path; next to the FFI receiver, one
 * `node:dgram` socket bound to the same host on a free port (so replies
 * and messages to apps leave from that port, not from the receiving one).
 *
 * @module
 */

import { openFfiReceiver } from "./udp_ffi.ts";
import { openNodeSender, openNodeUdp } from "./udp_node.ts";

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

/** A bound socket that receives (its handler was given when it was opened). */
export interface UdpReceiver {
  /** Which implementation: "recvmmsg" or "node:dgram". */
  readonly kind: string;
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  /** Stops receiving and closes; resolves when no receive is pending. */
  close(): Promise<void>;
}

/** Sends datagrams. */
export interface UdpSender {
  /** Sends one datagram; never throws (failures go to `onError`). */
  send(bytes: Uint8Array, port: number, host: string): void;
  /** Closes. */
  close(): Promise<void>;
}

/** A bound UDP socket: a receiver and the one sender that goes with it. */
export interface UdpSocket extends UdpReceiver, UdpSender {
  /** Stops receiving, closes the receiver and the sender. */
  close(): Promise<void>;
}

/** What opening a socket needs. */
export interface UdpOptions {
  host: string;
  port: number;
  onDatagram: DatagramHandler;
  onError: (message: string) => void;
}

/**
 * Binds `host:port`; rejects with the OS's reason when it cannot. `use`:
 * "auto" takes the FFI receiver where it works, "node" always `node:dgram`
 * (default: "node" when the environment has `SUP_UDP=node`).
 */
export async function openUdp(
  options: UdpOptions,
  use: "auto" | "node" = Deno.env.get("SUP_UDP") === "node" ? "node" : "auto",
): Promise<UdpSocket> {
  if (use === "auto") {
    const receiver = openFfiReceiver(options);
    if (receiver !== null) {
      try {
        return withSender(receiver, await openNodeSender(options.host, options.onError));
      } catch (error) {
        await receiver.close();
        throw error;
      }
    }
  }
  return await openNodeUdp(options);
}

/** `receiver` and `sender` as one socket; closing it closes both. */
function withSender(receiver: UdpReceiver, sender: UdpSender): UdpSocket {
  return {
    kind: receiver.kind,
    port: receiver.port,
    send: (bytes, port, host) => sender.send(bytes, port, host),
    close: async () => {
      await receiver.close();
      await sender.close();
    },
  };
}
