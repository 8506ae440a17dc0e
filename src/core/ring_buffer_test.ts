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

Deno.test("ring buffer keeps each line's time and stream, and filters by time", () => {
  const ring = new RingBuffer(3);
  ring.push("boot", 100, "stdout");
  ring.push("warn", 200, "stderr");
  ring.push("up", 300, "stdout");
  ring.push("tick", 400, "stdout"); // drops "boot"
  deepStrictEqual(ring.lines(), [
    { time: 200, stream: "stderr", line: "warn" },
    { time: 300, stream: "stdout", line: "up" },
    { time: 400, stream: "stdout", line: "tick" },
  ]);
  deepStrictEqual(ring.lines(2).map((l) => l.line), ["up", "tick"]);
  deepStrictEqual(ring.lines(3, 300).map((l) => l.line), ["up", "tick"]);
  deepStrictEqual(ring.lines(1, 300).map((l) => l.line), ["tick"]);
  deepStrictEqual(ring.lines(3, 500), []);
});

Deno.test("lines several lazy sources hold are merged by the time they were read", () => {
  const ring = new RingBuffer(10);
  const out = () => {
    ring.push("out 1", 10, "stdout");
    ring.push("out 2", 30, "stdout");
  };
  const side = () => {
    ring.push("side 1", 20, "stdout");
    ring.push("side 2", 30, "stdout");
  };
  ring.push("first", 5, "stderr");
  ring.markPending(out);
  ring.markPending(side);
  ring.push("last", 40, "stderr"); // read after both: settles them first
  deepStrictEqual(ring.tail(), ["first", "out 1", "side 1", "out 2", "side 2", "last"]);
});

Deno.test("merged lazy lines beyond the capacity keep only the newest", () => {
  const ring = new RingBuffer(3);
  ring.markPending(() => ["a", "c", "e"].forEach((l, i) => ring.push(l, 1 + 2 * i)));
  ring.markPending(() => ["b", "d", "f"].forEach((l, i) => ring.push(l, 2 + 2 * i)));
  deepStrictEqual(ring.tail(), ["d", "e", "f"]);
});
