import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { openFfiReceiver, releaseWhenEnded } from "./udp_ffi.ts";
import { openNodeUdp } from "./udp_node.ts";
import { openUdp, type UdpOptions, type UdpReceiver } from "./udp_socket.ts";

type Open = (options: UdpOptions) => Promise<UdpReceiver>;
const impls: [string, Open][] = [
  ["recvmmsg", (o) => Promise.resolve(openFfiReceiver(o)!)],
  ["node:dgram", openNodeUdp],
];

interface Got {
  bytes: number[];
  host: string;
  port: number;
  truncated: boolean;
}

/** A plain node:dgram socket bound to `host` on a free port: the app's side. */
async function appSocket(host: string): Promise<Socket & { port: number }> {
  const socket = createSocket(host.includes(":") ? "udp6" : "udp4");
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  return Object.assign(socket, { port: socket.address().port });
}

function closeApp(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/** Resolves once `check()` holds; rejects after 5 s with `what`. */
async function until(what: () => string, check: () => boolean): Promise<void> {
  const end = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > end) throw new Error(what());
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const [name, open] of impls) {
  for (const host of ["127.0.0.1", "::1"]) {
    Deno.test(`${name} on ${host}: datagrams arrive with their sender; long ones are flagged`, async () => {
      const got: Got[] = [];
      const server = await open({
        host,
        port: 0,
        onDatagram: (bytes, peer, truncated) => {
          got.push({
            bytes: [...bytes.subarray(0, 4)],
            host: peer.host,
            port: peer.port,
            truncated,
          });
        },
        onError: (m) => {
          throw new Error(m);
        },
      });
      const client = await appSocket(host);
      try {
        equal(server.kind, name);
        ok(server.port > 0);
        client.send(new Uint8Array([1, 2, 3, 4]), server.port, host);
        client.send(new Uint8Array(40_000).fill(9), server.port, host);
        await until(() => `only ${got.length} datagrams`, () => got.length >= 2);
        // UDP does not promise order (node:dgram sends asynchronously).
        got.sort((a, b) => Number(a.truncated) - Number(b.truncated));
        equal(got[0].port, client.port);
        equal(got[0].host.replace("0:0:0:0:0:0:0:1", "::1"), host);
        deepStrictEqual(got.map((g) => [g.bytes, g.truncated]), [
          [[1, 2, 3, 4], false],
          [[9, 9, 9, 9], true],
        ]);
      } finally {
        await closeApp(client);
        await server.close();
      }
    });
  }
}

for (const use of ["auto", "node"] as const) {
  for (const host of ["127.0.0.1", "::1"]) {
    Deno.test(`openUdp (${use}) on ${host}: a reply to a datagram's sender goes through the one sender and arrives`, async () => {
      const replies: number[][] = [];
      const sup = await openUdp({
        host,
        port: 0,
        onDatagram: (bytes, peer) => sup.send(new Uint8Array([bytes[0] + 1]), peer.port, peer.host),
        onError: (m) => {
          throw new Error(m);
        },
      }, use);
      const app = await appSocket(host);
      app.on("message", (msg: Uint8Array) => replies.push([...msg]));
      try {
        equal(sup.kind, use === "auto" ? "recvmmsg" : "node:dgram");
        app.send(new Uint8Array([41]), sup.port, host);
        await until(() => `no reply: ${JSON.stringify(replies)}`, () => replies.length >= 1);
        deepStrictEqual(replies, [[42]]);
      } finally {
        await closeApp(app);
        await sup.close();
      }
    });
  }
}

Deno.test("openUdp with a host name uses node:dgram (it resolves names)", async () => {
  const sock = await openUdp({
    host: "localhost",
    port: 0,
    onDatagram: () => {},
    onError: () => {},
  });
  try {
    equal(sock.kind, "node:dgram");
  } finally {
    await sock.close();
  }
});

Deno.test("recvmmsg socket refuses a port in use with an error", async () => {
  const first = openFfiReceiver({
    host: "127.0.0.1",
    port: 0,
    onDatagram: () => {},
    onError: () => {},
  })!;
  try {
    let error: unknown = null;
    try {
      openFfiReceiver({
        host: "127.0.0.1",
        port: first.port,
        onDatagram: () => {},
        onError: () => {},
      });
    } catch (e) {
      error = e;
    }
    ok(error instanceof Error && error.message.includes("EADDRINUSE"), String(error));
  } finally {
    await first.close();
  }
});

Deno.test("recvmmsg socket is not used for a host name (node:dgram resolves it)", () => {
  equal(
    openFfiReceiver({ host: "localhost", port: 0, onDatagram: () => {}, onError: () => {} }),
    null,
  );
});

Deno.test("recvmmsg socket names an address that is not local (EADDRNOTAVAIL)", () => {
  let error: unknown = null;
  try {
    openFfiReceiver({ host: "192.0.2.1", port: 0, onDatagram: () => {}, onError: () => {} });
  } catch (e) {
    error = e;
  }
  ok(error instanceof Error && error.message.includes("EADDRNOTAVAIL"), String(error));
});

/** What `/proc/self/fd/<fd>` points at ("socket:[inode]"), or null when the fd is closed. */
function fdTarget(fd: number): string | null {
  try {
    return Deno.readLinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

for (const host of ["127.0.0.1", "::1"]) {
  Deno.test(`recvmmsg socket on ${host}: a throwing handler does not stop receiving; close with a receive pending ends at once and closes the fd`, async () => {
    const errors: string[] = [];
    let seen = 0;
    const sock = openFfiReceiver({
      host,
      port: 0,
      onDatagram: () => {
        seen++;
        throw new Error("handler bug");
      },
      onError: (m) => errors.push(m),
    })!;
    const socketFile = fdTarget(sock.fd);
    ok(socketFile?.startsWith("socket:"), String(socketFile));
    const client = await appSocket(host);
    try {
      for (let i = 0; i < 3; i++) client.send(new Uint8Array([i]), sock.port, host);
      const end = Date.now() + 5000;
      while (seen < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      equal(seen, 3, "every datagram reached the handler");
      ok(errors.some((m) => m.includes("handler bug")), errors.join("; "));
    } finally {
      await closeApp(client);
    }
    // A receive is pending on the FFI thread now; close must wake it and return promptly.
    const started = performance.now();
    await sock.close();
    await sock.close(); // twice is harmless
    ok(performance.now() - started < 1000, `close took ${performance.now() - started}ms`);
    ok(!errors.some((m) => m.includes("did not end")), errors.join("; "));
    // The fd is closed (or, with other tests running, already reused by another file).
    ok(fdTarget(sock.fd) !== socketFile, `fd ${sock.fd} still open`);
  });
}

Deno.test("releaseWhenEnded releases at once when the receive ends in time", async () => {
  const steps: string[] = [];
  await releaseWhenEnded(Promise.resolve(), 1000, () => steps.push("release"), () => {
    steps.push("late");
  });
  deepStrictEqual(steps, ["release"]);
});

Deno.test("releaseWhenEnded after a timeout still releases once the receive ends (no fd leak)", async () => {
  const steps: string[] = [];
  let end = () => {};
  const ended = new Promise<void>((resolve) => end = resolve);
  await releaseWhenEnded(ended, 10, () => steps.push("release"), () => steps.push("late"));
  deepStrictEqual(steps, ["late"], "close returned after the wait, nothing released yet");
  end();
  await ended;
  await Promise.resolve();
  deepStrictEqual(steps, ["late", "release"]);
});

Deno.test("releaseWhenEnded releases after a failed receive too", async () => {
  const steps: string[] = [];
  await releaseWhenEnded(Promise.reject(new Error("x")), 1000, () => steps.push("release"), () => {
    steps.push("late");
  });
  deepStrictEqual(steps, ["release"]);
});
