import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { createSocket } from "node:dgram";
import {
  AF_INET,
  AF_INET6,
  encodeSockaddr,
  LAYOUT,
  MMSG,
  SOCKADDR_SLOT,
  sockaddrFamily,
  sockaddrHost,
  sockaddrPort,
  type Struct,
} from "./udp_layout.ts";
import { openFfiReceiver } from "./udp_ffi.ts";

const structs = Object.entries(LAYOUT) as [string, Struct][];

Deno.test("udp layout: every field lies inside its struct, aligned, without overlapping another", () => {
  for (const [name, struct] of structs) {
    const fields = Object.entries(struct.fields).sort((a, b) => a[1].at - b[1].at);
    let end = 0;
    for (const [field, { at, bytes }] of fields) {
      ok(at >= end, `${name}.${field} overlaps the field before it`);
      ok(at + bytes <= struct.size, `${name}.${field} runs past the struct`);
      const align = Math.min(bytes, 8);
      if ([1, 2, 4, 8].includes(bytes)) equal(at % align, 0, `${name}.${field} is not aligned`);
      end = at + bytes;
    }
  }
});

Deno.test("udp layout: the sizes are 64-bit Linux's (x86_64, aarch64)", () => {
  deepStrictEqual(
    Object.fromEntries(structs.map(([name, s]) => [name, s.size])),
    { iovec: 16, msghdr: 56, mmsghdr: 64, sockaddr_in: 16, sockaddr_in6: 28 },
  );
  deepStrictEqual(MMSG, {
    size: 64,
    name: 0,
    namelen: 8,
    iov: 16,
    iovlen: 24,
    flags: 48,
    len: 56,
  });
  ok(SOCKADDR_SLOT >= LAYOUT.sockaddr_in6.size && SOCKADDR_SLOT % 8 === 0);
});

/** A C program printing `struct field offset size` for every field of the table, and each size. */
function layoutProgram(): string {
  const lines = structs.flatMap(([name, s]) => [
    `printf("${name} - 0 %zu\\n", sizeof(struct ${name}));`,
    ...Object.keys(s.fields).map((f) =>
      `printf("${name} ${f} %zu %zu\\n", offsetof(struct ${name}, ${f}), ` +
      `sizeof(((struct ${name} *)0)->${f}));`
    ),
  ]);
  return [
    "#define _GNU_SOURCE",
    "#include <stddef.h>",
    "#include <stdio.h>",
    "#include <sys/socket.h>",
    "#include <sys/uio.h>",
    "#include <netinet/in.h>",
    "int main(void) {",
    ...lines,
    "return 0; }",
  ].join("\n");
}

const cc = ["/usr/bin/cc", "/usr/bin/gcc"].find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
});

Deno.test({
  name: "udp layout: the table matches the C compiler's sizeof and offsetof on this machine",
  ignore: cc === undefined || Deno.build.os !== "linux",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/layout.c`, layoutProgram());
      const built = await new Deno.Command(cc!, {
        args: ["-o", `${dir}/layout`, `${dir}/layout.c`],
        stderr: "piped",
      }).output();
      ok(built.success, new TextDecoder().decode(built.stderr));
      const out = await new Deno.Command(`${dir}/layout`).output();
      const fromC = new TextDecoder().decode(out.stdout).trim().split("\n");
      const fromTable = structs.flatMap(([name, s]) => [
        `${name} - 0 ${s.size}`,
        ...Object.entries(s.fields).map(([f, { at, bytes }]) => `${name} ${f} ${at} ${bytes}`),
      ]);
      deepStrictEqual(fromC, fromTable);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("socket addresses encode and decode through the table", () => {
  const v4 = encodeSockaddr("10.0.0.7", 8080)!;
  equal(v4.length, 16);
  deepStrictEqual([...v4.subarray(0, 8)], [2, 0, 0x1f, 0x90, 10, 0, 0, 7]);
  equal(sockaddrFamily(v4), AF_INET);
  equal(sockaddrHost(v4), "10.0.0.7");
  equal(sockaddrPort(v4), 8080);
  const v6 = encodeSockaddr("::1", 3002)!;
  equal(v6.length, 28);
  equal(sockaddrFamily(v6), AF_INET6);
  equal(sockaddrHost(v6), "0:0:0:0:0:0:0:1");
  equal(sockaddrPort(v6), 3002);
  equal(encodeSockaddr("localhost", 1), null);
  // At an offset, as in the receiver's address slots.
  const slots = new Uint8Array(SOCKADDR_SLOT * 2);
  slots.set(v6, SOCKADDR_SLOT);
  equal(sockaddrHost(slots, SOCKADDR_SLOT), "0:0:0:0:0:0:0:1");
  equal(sockaddrPort(slots, SOCKADDR_SLOT), 3002);
});

Deno.test("sockaddr bytes print as addresses", () => {
  const v4 = new Uint8Array(16);
  v4.set([2, 0, 0x1f, 0x90, 10, 0, 0, 7]);
  equal(sockaddrHost(v4), "10.0.0.7");
  const v6 = new Uint8Array(28);
  v6[0] = 10;
  v6[23] = 1;
  equal(sockaddrHost(v6), "0:0:0:0:0:0:0:1");
});

Deno.test("udp layout: a real datagram comes back through recvmmsg with its length, bytes and sender", async () => {
  const got: { bytes: number[]; host: string; port: number; truncated: boolean }[] = [];
  const receiver = openFfiReceiver({
    host: "::1",
    port: 0,
    onDatagram: (bytes, peer, truncated) =>
      got.push({ bytes: [...bytes], host: peer.host, port: peer.port, truncated }),
    onError: (m) => {
      throw new Error(m);
    },
  })!;
  const client = createSocket("udp6");
  try {
    await new Promise<void>((resolve) => client.bind(0, "::1", resolve));
    const sent = Array.from({ length: 1001 }, (_, i) => i % 251);
    client.send(new Uint8Array(sent), receiver.port, "::1");
    const end = Date.now() + 5000;
    while (got.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    equal(got.length, 1);
    equal(got[0].bytes.length, 1001, "msg_len read at its offset");
    deepStrictEqual(got[0].bytes, sent, "iovec points at the slot's bytes");
    equal(got[0].host, "0:0:0:0:0:0:0:1", "msg_name points at the slot's sockaddr");
    equal(got[0].port, client.address().port);
    equal(got[0].truncated, false, "msg_flags read at its offset");
  } finally {
    await new Promise<void>((resolve) => client.close(() => resolve()));
    await receiver.close();
  }
});
