/**
 * The portable UDP socket: `node:dgram` (see `udp_socket.ts`). One
 * `node:dgram` socket both receives and sends (`openNodeUdp`), or only
 * sends (`openNodeSender`, the sender paired with the FFI receiver).
 *
 * @module
 */

import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import type { UdpOptions, UdpPeer, UdpSender, UdpSocket } from "./udp_socket.ts";

/** Longest datagram taken whole, as `udp_ffi.ts`'s SLOT_BYTES: the same limit on both paths. */
const MAX_DATAGRAM = 16_384;

/** Binds with `node:dgram` to receive and send; rejects with the bind error. */
export async function openNodeUdp(options: UdpOptions): Promise<UdpSocket> {
  const { onDatagram, onError } = options;
  const socket = await bindNode(options.host, options.port);
  socket.on("error", (error) => onError(`OSC socket error: ${error}`));
  const peer = { host: "", port: 0 };
  socket.on("message", (msg: Uint8Array, rinfo: RemoteInfo) => {
    peer.host = rinfo.address;
    peer.port = rinfo.port;
    const truncated = msg.length > MAX_DATAGRAM;
    onDatagram(truncated ? msg.subarray(0, MAX_DATAGRAM) : msg, peer as UdpPeer, truncated);
  });
  return { kind: "node:dgram", port: socket.address().port, ...sender(socket, onError) };
}

/**
 * A `node:dgram` socket that only sends, bound to `host` (so it reaches
 * what a socket bound there reaches) on a free port; it reads nothing.
 */
export async function openNodeSender(
  host: string,
  onError: (message: string) => void,
): Promise<UdpSender> {
  const socket = await bindNode(host, 0);
  socket.on("error", (error) => onError(`OSC sender error: ${error}`));
  return sender(socket, onError);
}

async function bindNode(host: string, port: number): Promise<Socket> {
  const socket = createSocket({ type: host.includes(":") ? "udp6" : "udp4" });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(port, host, () => {
        socket.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    socket.close();
    throw error;
  }
  return socket;
}

function sender(socket: Socket, onError: (message: string) => void): UdpSender {
  return {
    send(bytes, toPort, toHost) {
      try {
        socket.send(bytes, toPort, toHost, (error) => {
          if (error) onError(`Cannot send to ${toHost}:${toPort}: ${error}`);
        });
      } catch (error) {
        onError(`Cannot send to ${toHost}:${toPort}: ${error}`);
      }
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
