import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { openFfiUdp } from "./udp_ffi.ts";
import { openNodeUdp } from "./udp_node.ts";
import type { UdpOptions, UdpSocket } from "./udp_socket.ts";
import { createSocket } from "node:dgram";

type Open = (options: UdpOptions) => Promise<UdpSocket>;
const impls: [string, Open][] = [
  ["recvmmsg", (o) => Promise.resolve(openFfiUdp(o)!)],
  ["node:dgram", openNodeUdp],
];

interface Got {
  bytes: number[];
  host: string;
  port: number;
  truncated: boolean;
}

for (const [name, open] of impls) {
  for (const host of ["127.0.0.1", "::1"]) {
    Deno.test(`${name} on ${host}: datagrams arrive with their sender; long ones are flagged`, async () => {
      const got: Got[] = [];
      let wake = () => {};
      const options = (h: string): UdpOptions => ({
        host: h,
        port: 0,
        onDatagram: (bytes, peer, truncated) => {
          got.push({
            bytes: [...bytes.subarray(0, 4)],
            host: peer.host,
            port: peer.port,
            truncated,
          });
          wake();
        },
        onError: (m) => {
          throw new Error(m);
        },
      });
      const server = await open(options(host));
      const client = await open({ ...options(host), onDatagram: () => {} });
      try {
        ok(server.port > 0);
        const until = (n: number) =>
          new Promise<void>((resolve, reject) => {
            const t = setTimeout(() => reject(new Error(`only ${got.length} datagrams`)), 5000);
            wake = () => {
              if (got.length >= n) {
                clearTimeout(t);
                resolve();
              }
            };
            wake();
          });
        client.send(new Uint8Array([1, 2, 3, 4]), server.port, host);
        client.send(new Uint8Array(40_000).fill(9), server.port, host);
        await until(2);
        // UDP does not promise order (node:dgram sends asynchronously).
        got.sort((a, b) => Number(a.truncated) - Number(b.truncated));
        equal(got[0].port, client.port);
        equal(got[0].host.replace("0:0:0:0:0:0:0:1", "::1"), host);
        deepStrictEqual(got.map((g) => [g.bytes, g.truncated]), [
          [[1, 2, 3, 4], false],
          [[9, 9, 9, 9], true],
        ]);
      } finally {
        await client.close();
        await server.close();
      }
    });
  }
}

Deno.test("recvmmsg socket refuses a port in use with an error", async () => {
  const first = openFfiUdp({
    host: "127.0.0.1",
    port: 0,
    onDatagram: () => {},
    onError: () => {},
  })!;
  try {
    let error: unknown = null;
    try {
      openFfiUdp({ host: "127.0.0.1", port: first.port, onDatagram: () => {}, onError: () => {} });
    } catch (e) {
      error = e;
    }
    ok(error instanceof Error && error.message.includes("EADDRINUSE"), String(error));
  } finally {
    await first.close();
  }
});

Deno.test("recvmmsg socket is not used for a host name (node:dgram resolves it)", () => {
  equal(openFfiUdp({ host: "localhost", port: 0, onDatagram: () => {}, onError: () => {} }), null);
});

Deno.test("recvmmsg socket names an address that is not local (EADDRNOTAVAIL)", () => {
  let error: unknown = null;
  try {
    openFfiUdp({ host: "192.0.2.1", port: 0, onDatagram: () => {}, onError: () => {} });
  } catch (e) {
    error = e;
  }
  ok(error instanceof Error && error.message.includes("EADDRNOTAVAIL"), String(error));
});

for (const host of ["127.0.0.1", "::1"]) {
  Deno.test(`recvmmsg socket on ${host}: a throwing handler does not stop receiving; close with a receive pending ends at once`, async () => {
    const errors: string[] = [];
    let seen = 0;
    const sock = openFfiUdp({
      host,
      port: 0,
      onDatagram: () => {
        seen++;
        throw new Error("handler bug");
      },
      onError: (m) => errors.push(m),
    })!;
    const client = createSocket(host.includes(":") ? "udp6" : "udp4");
    try {
      for (let i = 0; i < 3; i++) client.send(new Uint8Array([i]), sock.port, host);
      const end = Date.now() + 5000;
      while (seen < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      equal(seen, 3, "every datagram reached the handler");
      ok(errors.some((m) => m.includes("handler bug")), errors.join("; "));
    } finally {
      client.close();
    }
    // A receive is pending on the FFI thread now; close must wake it and return promptly.
    const started = performance.now();
    await sock.close();
    await sock.close(); // twice is harmless
    ok(performance.now() - started < 1000, `close took ${performance.now() - started}ms`);
    ok(!errors.some((m) => m.includes("did not end")), errors.join("; "));
  });
}
