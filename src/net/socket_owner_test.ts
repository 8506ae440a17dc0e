import { deepStrictEqual, equal } from "node:assert/strict";
import { createSocket } from "node:dgram";
import { addressBytes, parseProcNet, tcpPeerUid, udpPeerUid } from "./socket_owner.ts";

const TCP =
  `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 559 1
   1: 0100007F:CF08 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 777 1
   2: 0100007F:1F90 0100007F:CF08 01 00000000:00000000 00:00000000 00000000     0        0 778 1
`;
const TCP6 =
  `  sl  local_address                         remote_address                        st tx_queue
   0: 00000000000000000000000001000000:D431 00000000000000000000000001000000:1F90 01 00000000:00000000 00:00000000 00000000  1001        0 1 1
`;
const UDP =
  `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  10: 00000000:E2A4 00000000:0000 07 00000000:00000000 00:00000000 00000000  1002        0 9 2 0 0
`;
const files: Record<string, string> = {
  "/proc/net/tcp": TCP,
  "/proc/net/tcp6": TCP6,
  "/proc/net/udp": UDP,
  "/proc/net/udp6": "header\n",
};
const read = (path: string) => files[path] ?? "";

Deno.test("/proc/net tables parse to addresses, ports and owners", () => {
  const [listen, client] = parseProcNet(TCP);
  deepStrictEqual([listen.localPort, listen.uid], [8080, 0]);
  deepStrictEqual(client.local, addressBytes("127.0.0.1"));
  deepStrictEqual([client.localPort, client.remotePort, client.uid], [53000, 8080, 1000]);
  deepStrictEqual(parseProcNet(TCP6)[0].local, addressBytes("::1"));
});

Deno.test("the owner of a TCP client is found by its address as the server sees it", () => {
  equal(
    tcpPeerUid({ host: "127.0.0.1", port: 53000 }, { host: "127.0.0.1", port: 8080 }, read),
    1000,
  );
  equal(tcpPeerUid({ host: "::1", port: 54321 }, { host: "::1", port: 8080 }, read), 1001);
  equal(tcpPeerUid({ host: "127.0.0.1", port: 1 }, { host: "127.0.0.1", port: 8080 }, read), null);
});

Deno.test("the owner of a UDP sender is found by the port it sent from", () => {
  equal(udpPeerUid({ host: "127.0.0.1", port: 58020 }, read), 1002);
  equal(udpPeerUid({ host: "127.0.0.1", port: 58021 }, read), null);
});

Deno.test("real loopback sockets are owned by this process's user", async () => {
  const server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  const accepted = await server.accept();
  try {
    const peer = accepted.remoteAddr as Deno.NetAddr;
    equal(
      tcpPeerUid({ host: peer.hostname, port: peer.port }, {
        host: "127.0.0.1",
        port: server.addr.port,
      }),
      Deno.uid(),
    );
  } finally {
    client.close();
    accepted.close();
    server.close();
  }
  const udp = createSocket("udp4");
  await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
  try {
    equal(udpPeerUid({ host: "127.0.0.1", port: udp.address().port }), Deno.uid());
  } finally {
    udp.close();
  }
});

Deno.test("time-wait rows (uid 0) and rows of several users never name a sender", () => {
  const timeWait = TCP.replace(
    "0100007F:CF08 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000",
    "0100007F:CF08 0100007F:1F90 06 00000000:00000000 00:00000000 00000000     0",
  );
  const tables: Record<string, string> = { ...files, "/proc/net/tcp": timeWait };
  equal(
    tcpPeerUid(
      { host: "127.0.0.1", port: 53000 },
      { host: "127.0.0.1", port: 8080 },
      (p) => tables[p] ?? "",
    ),
    null,
  );
  const shared = UDP + UDP.split("\n")[1].replace(" 1002 ", " 0    ") + "\n";
  equal(
    udpPeerUid({ host: "127.0.0.1", port: 58020 }, (p) => p === "/proc/net/udp" ? shared : ""),
    null,
  );
});

Deno.test("a wildcard-bound server matches its clients by port, and ::ffff: peers as IPv4", () => {
  equal(
    tcpPeerUid({ host: "::ffff:127.0.0.1", port: 53000 }, { host: "0.0.0.0", port: 8080 }, read),
    1000,
  );
  equal(tcpPeerUid({ host: "127.0.0.1", port: 53000 }, { host: "::", port: 8081 }, read), null);
});
