import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { LineSplitter, TRUNCATED_MARK } from "./line_splitter.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function collect(maxChars?: number): { lines: string[]; splitter: LineSplitter } {
  const lines: string[] = [];
  return { lines, splitter: new LineSplitter((line) => lines.push(line), maxChars) };
}

Deno.test("splitter joins lines cut across chunks and strips CRLF", () => {
  const { lines, splitter } = collect();
  for (const part of ["hel", "lo\nwor", "ld\r\n\nlast"]) {
    splitter.write(bytes(part));
    splitter.settle();
  }
  deepStrictEqual(lines, ["hello", "world", ""]);
  splitter.end();
  deepStrictEqual(lines, ["hello", "world", "", "last"]);
});

Deno.test("splitter decodes a UTF-8 character cut between two chunks", () => {
  const { lines, splitter } = collect();
  const all = bytes("héllo wörld €\n");
  for (let i = 0; i < all.length; i++) splitter.write(all.subarray(i, i + 1));
  splitter.settle();
  deepStrictEqual(lines, ["héllo wörld €"]);
});

Deno.test("splitter turns invalid UTF-8 into replacement characters", () => {
  const { lines, splitter } = collect();
  splitter.write(new Uint8Array([0x61, 0xff, 0xfe, 0x62, 0x0a, 0xc3]));
  splitter.end();
  deepStrictEqual(lines, ["a\uFFFD\uFFFDb", "\uFFFD"]);
});

Deno.test("splitter cuts a long line, marks it and drops the rest of it", () => {
  const { lines, splitter } = collect(10);
  splitter.write(bytes("short\n" + "x".repeat(25)));
  splitter.settle();
  splitter.write(bytes("y".repeat(1000) + "\nafter\n"));
  splitter.settle();
  deepStrictEqual(lines, ["short", "x".repeat(10) + TRUNCATED_MARK, "after"]);
});

Deno.test("splitter without newlines holds at most the cap", () => {
  const { lines, splitter } = collect(100);
  const chunk = bytes("z".repeat(4096));
  for (let i = 0; i < 1000; i++) {
    splitter.write(chunk);
    splitter.settle();
  }
  equal(lines.length, 1);
  equal(lines[0], "z".repeat(100) + TRUNCATED_MARK);
  splitter.end();
  equal(lines.length, 1);
});

Deno.test("splitter cuts a long line inside one chunk", () => {
  const { lines, splitter } = collect(4);
  splitter.write(bytes("abcdefgh\nabcd\n"));
  splitter.settle();
  deepStrictEqual(lines, ["abcd" + TRUNCATED_MARK, "abcd"]);
});

Deno.test("lazy settle emits only the last lines, and the partial line after them", () => {
  const { lines, splitter } = collect();
  splitter.write(bytes("carried"));
  for (let i = 0; i < 50; i++) splitter.write(bytes(`line ${i}\n`));
  splitter.write(bytes("par"));
  equal(lines.length, 0);
  ok(splitter.queuedChars > 0);
  splitter.settle(3);
  deepStrictEqual(lines, ["line 47", "line 48", "line 49"]);
  equal(splitter.queuedChars, 0);
  splitter.write(bytes("tial\n"));
  splitter.settle(3);
  deepStrictEqual(lines.slice(3), ["partial"]);
});

Deno.test("lazy settle with fewer lines than kept emits them all, carry included", () => {
  const { lines, splitter } = collect();
  splitter.write(bytes("a"));
  splitter.settle(5);
  splitter.write(bytes("b\nc\n"));
  splitter.settle(5);
  deepStrictEqual(lines, ["ab", "c"]);
});

Deno.test("each line gets the time of the chunk that ends it, also when settled lazily", () => {
  const seen: [string, number][] = [];
  const splitter = new LineSplitter((line, time) => seen.push([line, time]));
  splitter.write(bytes("one\ntw"), 100);
  splitter.write(bytes("o\nthree\n"), 200);
  splitter.write(bytes("four"), 300);
  splitter.settle(2);
  splitter.end();
  deepStrictEqual(seen, [["two", 200], ["three", 200], ["four", 300]]);
});
