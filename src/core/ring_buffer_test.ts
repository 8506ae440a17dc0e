import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { RingBuffer } from "./ring_buffer.ts";

Deno.test("ring buffer keeps the last lines in order after wrapping", () => {
  const ring = new RingBuffer(3);
  for (const line of ["a", "b", "c", "d", "e"]) ring.push(line);
  deepStrictEqual(ring.tail(), ["c", "d", "e"]);
  deepStrictEqual(ring.tail(2), ["d", "e"]);
  equal(ring.size, 3);
});

Deno.test("ring buffer tail of more lines than held returns what it has", () => {
  const ring = new RingBuffer(5);
  ring.push("one");
  ring.push("two");
  deepStrictEqual(ring.tail(10), ["one", "two"]);
  deepStrictEqual(ring.tail(0), []);
  deepStrictEqual(ring.tail(-3), []);
});

Deno.test("ring buffer defaults to 1000 lines", () => {
  const ring = new RingBuffer();
  for (let i = 0; i < 2500; i++) ring.push(`line ${i}`);
  const tail = ring.tail();
  equal(tail.length, 1000);
  equal(tail[0], "line 1500");
  equal(tail[999], "line 2499");
});

Deno.test("ring buffer clear forgets every line", () => {
  const ring = new RingBuffer(2);
  ring.push("x");
  ring.clear();
  deepStrictEqual(ring.tail(), []);
  ring.push("y");
  deepStrictEqual(ring.tail(), ["y"]);
});

Deno.test("ring buffer settles pending sources before reads and pushes, in order", () => {
  const ring = new RingBuffer(10);
  let calls = 0;
  const source = () => {
    calls++;
    ring.push("lazy");
  };
  ring.markPending(source);
  ring.markPending(source); // marking twice settles once
  ring.push("eager");
  deepStrictEqual(ring.tail(), ["lazy", "eager"]);
  equal(calls, 1);
  ring.markPending(source);
  equal(ring.size, 3);
  deepStrictEqual(ring.tail(), ["lazy", "eager", "lazy"]);
});

Deno.test("ring buffer rejects a capacity below 1", () => {
  throws(() => new RingBuffer(0), /capacity must be a whole number >= 1, got 0/);
});
