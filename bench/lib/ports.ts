/**
 * Free loopback ports for sup's listeners (HTTP, WebSocket, OSC), so a sup
 * under test never competes for the default ports with another sup.
 *
 * @module
 */

import dgram from "node:dgram";

/** A TCP port free on 127.0.0.1 right now. */
export function freeTcpPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A UDP port free on 127.0.0.1 right now. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket("udp4");
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** sup's `network` section with every listener on a free loopback port. */
export async function freeNetwork(): Promise<Record<string, unknown>> {
  return {
    host: "127.0.0.1",
    http: { port: freeTcpPort() },
    websocket: { port: freeTcpPort() },
    osc: { port: await freeUdpPort(), appPort: await freeUdpPort() },
  };
}
