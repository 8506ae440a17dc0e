import { deepStrictEqual, equal } from "node:assert/strict";
import { ip4Bytes, ip4Text, ip6Bytes, ip6Text } from "./ip_literal.ts";

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

Deno.test("address bytes print as literals", () => {
  equal(ip4Text(new Uint8Array([10, 0, 0, 7])), "10.0.0.7");
  equal(ip4Text(new Uint8Array([9, 9, 192, 168, 1, 2]), 2), "192.168.1.2");
  const v6 = new Uint8Array(16);
  v6[15] = 1;
  equal(ip6Text(v6), "0:0:0:0:0:0:0:1");
  v6.set([0xfe, 0x80], 0);
  equal(ip6Text(v6), "fe80:0:0:0:0:0:0:1");
});
