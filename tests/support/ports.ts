/**
 * Free ports for tests that must write a port into a config before sup binds
 * it. Ports come from 20000-32767, below Linux's ephemeral range
 * (32768-60999), so an outgoing connection of a test running in parallel can
 * never be handed the port between this check and sup's bind.
 *
 * @module
 */

import { createSocket } from "node:dgram";

const LOW = 20000;
const HIGH = 32767;
const handedOut = new Set<number>();

function candidate(): number {
  for (;;) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (!handedOut.has(port)) return port;
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago and that this process has not handed out before. */
export function freeTcpPort(): number {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = candidate();
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      handedOut.add(port);
      return port;
    } catch {
      // Taken: try another.
    }
  }
  throw new Error("No free TCP port found in 100 attempts");
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
  });
}

/** A UDP port on 127.0.0.1 that was free a moment ago and that this process has not handed out before. */
export async function freeUdpPort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = candidate();
    if (await udpFree(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error("No free UDP port found in 100 attempts");
}
