import { deepStrictEqual, equal } from "node:assert/strict";
import { ip4Bytes, ip6Bytes, ipText } from "./ip_literal.ts";

Deno.test("IPv4 literals parse; anything else is null", () => {
  deepStrictEqual(ip4Bytes("127.0.0.1"), new Uint8Array([127, 0, 0, 1]));
  equal(ip4Bytes("256.0.0.1"), null);
  equal(ip4Bytes("localhost"), null);
  equal(ip4Bytes("1.2.3"), null);
});

Deno.test("IPv6 literals parse with and without ::", () => {
  const loop = new Uint8Array(16);
  loop[15] = 1;
  deepStrictEqual(ip6Bytes("::1"), loop);
  deepStrictEqual(ip6Bytes("[::1]"), loop);
  deepStrictEqual(ip6Bytes("0:0:0:0:0:0:0:1"), loop);
  deepStrictEqual(ip6Bytes("::"), new Uint8Array(16));
  equal(ip6Bytes("1::2::3"), null);
  equal(ip6Bytes("127.0.0.1"), null);
  equal(ip6Bytes("1:2:3:4:5:6:7:8:9"), null);
});

Deno.test("sockaddr bytes print as addresses", () => {
  const v4 = new Uint8Array(16);
  v4.set([2, 0, 0x1f, 0x90, 10, 0, 0, 7]);
  equal(ipText(v4), "10.0.0.7");
  const v6 = new Uint8Array(28);
  v6[0] = 10;
  v6[23] = 1;
  equal(ipText(v6), "0:0:0:0:0:0:0:1");
});
