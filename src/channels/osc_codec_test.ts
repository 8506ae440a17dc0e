import { deepStrictEqual, equal, throws } from "node:assert/strict";
import {
  decodeOsc,
  MAX_BUNDLE_DEPTH,
  type OscDecodeError,
  type OscErrorCode,
} from "./osc_codec.ts";
import { encodeOscBundle, encodeOscMessage } from "./osc_encode.ts";
import { HEART_NO_JOB, isBareHeart, matchHeart } from "./osc_fast_path.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

function code(datagram: Uint8Array): OscErrorCode | "ok" {
  try {
    decodeOsc(datagram);
    return "ok";
  } catch (error) {
    return (error as OscDecodeError).code;
  }
}

Deno.test("a message round-trips with every encodable type", () => {
  const blob = new Uint8Array([1, 2, 3, 4, 5]);
  const msg = encodeOscMessage("/log", ["info", 42, 1.5, true, false, null, blob, {
    double: 2.25,
  }]);
  deepStrictEqual(decodeOsc(msg), {
    kind: "message",
    address: "/log",
    args: ["info", 42, 1.5, true, false, null, blob, 2.25],
  });
});

Deno.test("the wire bytes of /heart ,s job are the OSC 1.0 layout", () => {
  deepStrictEqual(encodeOscMessage("/heart", ["job1"]), bytes("/heart\0\0,s\0\0job1\0\0\0\0"));
});

Deno.test("a message without a type tag string decodes with no arguments", () => {
  deepStrictEqual(decodeOsc(bytes("/heart\0\0")), { kind: "message", address: "/heart", args: [] });
});

Deno.test("nested bundles decode in order", () => {
  const inner = encodeOscBundle([encodeOscMessage("/b", [2])]);
  const outer = encodeOscBundle([encodeOscMessage("/a", [1]), inner], { seconds: 7, fraction: 9 });
  deepStrictEqual(decodeOsc(outer), {
    kind: "bundle",
    timetag: { seconds: 7, fraction: 9 },
    elements: [
      { kind: "message", address: "/a", args: [1] },
      {
        kind: "bundle",
        timetag: { seconds: 0, fraction: 1 },
        elements: [{ kind: "message", address: "/b", args: [2] }],
      },
    ],
  });
});

Deno.test("64-bit, timetag, char, array and infinitum types decode", () => {
  const b = new Uint8Array([
    ...bytes("/x\0\0,hdtc[iI]N\0\0"),
    ...[0, 0, 0, 1, 0, 0, 0, 2], // h
    ...[0x40, 0x02, 0, 0, 0, 0, 0, 0], // d 2.25
    ...[0, 0, 0, 3, 0, 0, 0, 4], // t
    ...[0, 0, 0, 0x41], // c "A"
    ...[0, 0, 0, 5], // i
  ]);
  deepStrictEqual(decodeOsc(b), {
    kind: "message",
    address: "/x",
    args: [4294967298, 2.25, { seconds: 3, fraction: 4 }, "A", [5, Infinity], null],
  });
});

Deno.test("malformed datagrams are refused with a reason code", () => {
  const good = encodeOscMessage("/log", ["info", "hello"]);
  const badBundle = encodeOscBundle([encodeOscMessage("/a", [1])]);
  new DataView(badBundle.buffer).setInt32(16, 400);
  const badInner = encodeOscBundle([encodeOscMessage("/a", [1])]);
  badInner[20] = 0x41; // inner address no longer starts with "/"
  let deep = encodeOscMessage("/deep");
  for (let i = 0; i <= MAX_BUNDLE_DEPTH; i++) deep = encodeOscBundle([deep]);
  const rows: [string, Uint8Array, OscErrorCode | "ok"][] = [
    ["valid", good, "ok"],
    ["empty", new Uint8Array(0), "empty"],
    ["random text", bytes("hello world!"), "not-osc"],
    ["not a multiple of 4", bytes("/ab"), "misaligned"],
    ["truncated argument", good.slice(0, good.length - 8), "truncated"],
    ["no NUL", bytes("/abcdefg"), "truncated"],
    ["wrong type tag start", bytes("/a\0\0xs\0\0"), "bad-type-tag"],
    ["unknown type tag", bytes("/a\0\0,Q\0\0"), "bad-type-tag"],
    ["unbalanced array", bytes("/a\0\0,[\0\0"), "bad-type-tag"],
    ["bytes left after the arguments", bytes("/a\0\0,\0\0\0abcd"), "bad-type-tag"],
    ["garbage padding", bytes("/a\0x,\0\0\0"), "bad-padding"],
    ["bad UTF-8", new Uint8Array([0x2f, 0xff, 0, 0]), "bad-string"],
    ["bundle element past the end", badBundle, "bad-bundle"],
    ["malformed element inside a bundle", badInner, "not-osc"],
    ["bundles nested too deep", deep, "too-deep"],
    ["64 KB of zeros after a slash", new Uint8Array(65_504).fill(0x2f), "truncated"],
  ];
  for (const [name, datagram, expected] of rows) equal(code(datagram), expected, name);
});

Deno.test("encoding a string with NUL throws RangeError", () => {
  throws(() => encodeOscMessage("/a", ["x\0y"]), RangeError);
});

Deno.test("the /heart fast path agrees with the full decoder", () => {
  equal(matchHeart(bytes("/heart\0\0")), HEART_NO_JOB);
  equal(matchHeart(bytes("/heart\0\0,\0\0\0")), HEART_NO_JOB);
  equal(matchHeart(encodeOscMessage("/heart", ["kiosk"])), "kiosk");
  equal(matchHeart(encodeOscMessage("/heart", ["écran"])), "écran");
  equal(matchHeart(encodeOscMessage("/heart", [5])), undefined, "wrong type: full decode");
  equal(matchHeart(encodeOscMessage("/heart", ["a", "b"])), undefined);
  equal(matchHeart(encodeOscMessage("/heartbeat")), undefined);
  equal(matchHeart(bytes("/heart\0\0,s\0\0job1")), undefined, "truncated");
  equal(matchHeart(bytes("/heart\0\0,s\0\0job\0xxxx")), undefined, "junk after the string");
});

Deno.test("bare heart datagrams are recognised with trailing NUL or newline only", () => {
  equal(isBareHeart(bytes("heart")), true);
  equal(isBareHeart(bytes("heart\n")), true);
  equal(isBareHeart(bytes("heart\0\0\0")), true);
  equal(isBareHeart(bytes("hearts")), false);
  equal(isBareHeart(bytes("hear")), false);
});
