/**
 * A UDP client for tests: sends datagrams to sup and records what comes
 * back, with bounded waits.
 *
 * @module
 */

import { createSocket } from "node:dgram";
import { decodeOsc, type OscMessage } from "../../src/channels/osc_codec.ts";

/** A bound UDP socket on 127.0.0.1; `await using` closes it. */
export interface UdpClient extends AsyncDisposable {
  port: number;
  /** Sends `bytes` to 127.0.0.1:`port`; resolves once handed to the kernel. */
  send(bytes: Uint8Array, port: number): Promise<void>;
  /** The next OSC message received with `address`; rejects after `timeoutMs`. */
  next(address: string, timeoutMs?: number): Promise<OscMessage>;
}

/** Opens a client socket on a free port. */
export async function udpClient(): Promise<UdpClient> {
  const socket = createSocket("udp4");
  const inbox: OscMessage[] = [];
  const waiters = new Set<() => void>();
  socket.on("message", (msg: Uint8Array) => {
    try {
      const packet = decodeOsc(msg);
      if (packet.kind === "message") inbox.push(packet);
    } catch {
      // Not OSC: the tests only wait for OSC answers.
    }
    for (const w of waiters) w();
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    port: socket.address().port,
    send: (bytes, port) =>
      new Promise((resolve, reject) =>
        socket.send(bytes, port, "127.0.0.1", (error) => error ? reject(error) : resolve())
      ),
    next(address, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const i = inbox.findIndex((m) => m.address === address);
          if (i < 0) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(inbox.splice(i, 1)[0]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`No OSC ${address} within ${timeoutMs}ms; got ${JSON.stringify(inbox)}`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async [Symbol.asyncDispose]() {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
