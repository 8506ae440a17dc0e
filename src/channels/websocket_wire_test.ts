import { deepStrictEqual, equal } from "node:assert/strict";
import { acceptKey, encodeFrame, FrameReader, OP, type WireEvent } from "./websocket_wire.ts";

/** A masked client frame. */
function clientFrame(opcode: number, payload: Uint8Array | string, fin = true): Uint8Array {
  const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  const plain = encodeFrame(opcode, bytes);
  const headLength = plain.length - bytes.length;
  const out = new Uint8Array(plain.length + 4);
  out.set(plain.subarray(0, headLength));
  if (!fin) out[0] &= 0x7f;
  out[1] |= 0x80;
  const mask = [0x12, 0x34, 0x56, 0x78];
  out.set(mask, headLength);
  for (let i = 0; i < bytes.length; i++) out[headLength + 4 + i] = bytes[i] ^ mask[i & 3];
  return out;
}

function pushAll(reader: FrameReader, bytes: Uint8Array, step: number): WireEvent[] {
  const events: WireEvent[] = [];
  for (let at = 0; at < bytes.length; at += step) {
    events.push(...reader.push(bytes.slice(at, at + step)));
  }
  return events;
}

Deno.test("frames split anywhere parse to the same messages, fragments joined", () => {
  const stream = new Uint8Array([
    ...clientFrame(OP.text, '{"type":"heart"}'),
    ...clientFrame(OP.text, "hé", false),
    ...clientFrame(OP.ping, "p"),
    ...clientFrame(OP.continuation, "llo"),
    ...clientFrame(OP.binary, new Uint8Array(300)),
    ...clientFrame(OP.text, "x".repeat(70_000)),
    ...clientFrame(OP.close, new Uint8Array([0x03, 0xe8, 0x62, 0x79, 0x65])),
  ]);
  for (const step of [1, 3, 7, 1000, stream.length]) {
    const events = pushAll(new FrameReader(100_000), stream, step);
    deepStrictEqual(events.map((e) => e.kind), [
      "text",
      "ping",
      "text",
      "binary",
      "text",
      "close",
    ], `step ${step}`);
    deepStrictEqual(events[2], { kind: "text", text: "héllo" });
    deepStrictEqual(events[5], { kind: "close", code: 1000, reason: "bye" });
  }
});

Deno.test("a message over the limit is dropped as it arrives and reported once at its end", () => {
  const reader = new FrameReader(1000);
  const events: WireEvent[] = [];
  events.push(...reader.push(clientFrame(OP.text, "a".repeat(600), false)));
  for (let i = 0; i < 50; i++) {
    events.push(...reader.push(clientFrame(OP.continuation, "b".repeat(10_000), false)));
  }
  events.push(...reader.push(clientFrame(OP.continuation, "c", true)));
  events.push(...reader.push(clientFrame(OP.text, "ok")));
  deepStrictEqual(events, [
    { kind: "oversized", size: 600 + 50 * 10_000 + 1 },
    { kind: "text", text: "ok" },
  ]);
});

Deno.test("protocol violations are reported and stop the reader", () => {
  const unmasked = encodeFrame(OP.text, new TextEncoder().encode("x"));
  const cases: Array<[Uint8Array, number]> = [
    [unmasked, 1002],
    [clientFrame(OP.continuation, "x"), 1002],
    [new Uint8Array([...clientFrame(OP.text, "a", false), ...clientFrame(OP.text, "b")]), 1002],
    [clientFrame(OP.ping, "x".repeat(200)), 1002],
    [clientFrame(3, "x"), 1002],
    [clientFrame(OP.text, new Uint8Array([0xff, 0xfe])), 1007],
  ];
  for (const [bytes, code] of cases) {
    const events = new FrameReader(1000).push(bytes);
    equal(events.at(-1)?.kind, "violation");
    equal((events.at(-1) as { code: number }).code, code);
  }
});

Deno.test("Sec-WebSocket-Accept is RFC 6455's example", async () => {
  equal(await acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
});
