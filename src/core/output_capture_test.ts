import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { EventBus } from "./event_bus.ts";
import { captureOutput } from "./output_capture.ts";
import { OutputFiles } from "./output_files.ts";
import { RingBuffer } from "./ring_buffer.ts";

const encoder = new TextEncoder();

/**
 * A plain (not byte) stream of `chunks`, the kind that cannot be read BYOB.
 * It pulls only on demand, so `onPull(i)` runs once chunk i-1 was handled.
 */
function streamOf(chunks: string[], onPull?: (index: number) => void): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream({
    pull(controller) {
      onPull?.(index);
      if (index < chunks.length) controller.enqueue(encoder.encode(chunks[index++]));
      else controller.close();
    },
  }, { highWaterMark: 0 });
}

Deno.test("capture reads a plain stream and keeps lines cut across chunks whole", async () => {
  const ring = new RingBuffer();
  await captureOutput(streamOf(["al", "pha\nbe", "ta\n", "gamma"]), {
    job: "j",
    stream: "stdout",
    target: { kind: "discard" },
    ring,
    bus: new EventBus(),
    files: new OutputFiles(),
  });
  deepStrictEqual(ring.tail(), ["alpha", "beta", "gamma"]);
});

Deno.test("a big fast stream keeps exactly its last lines in the ring (lazy splitting)", async () => {
  const ring = new RingBuffer(100);
  const chunk = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join(""); // > 16 KB: lazy
  const chunks = Array.from({ length: 50 }, (_, k) => chunk.replaceAll("line", `c${k}`));
  await captureOutput(streamOf(chunks), {
    job: "j",
    stream: "stdout",
    target: { kind: "discard" },
    ring,
    bus: new EventBus(),
    files: new OutputFiles(),
  });
  const expected = Array.from({ length: 100 }, (_, i) => `c49 ${900 + i}`);
  deepStrictEqual(ring.tail(), expected);
});

Deno.test("lazy lines are settled before the ring is read mid-stream", async () => {
  const ring = new RingBuffer(10);
  const big = "x".repeat(20_000) + "\nfirst\n";
  const seen: string[][] = [];
  await captureOutput(streamOf([big, "second\n"], (i) => i === 1 && seen.push(ring.tail(1))), {
    job: "j",
    stream: "stdout",
    target: { kind: "discard" },
    ring,
    bus: new EventBus(),
    files: new OutputFiles(),
  });
  deepStrictEqual(seen, [["first"]]);
  deepStrictEqual(ring.tail(1), ["second"]);
});

Deno.test("job.output events flow only while someone listens", async () => {
  const bus = new EventBus();
  const lines: string[] = [];
  let off = () => {};
  const stream = streamOf(["one\n", "two\n", "three\n", "four\n"], (i) => {
    if (i === 1) off = bus.on("job.output", (e) => lines.push(`${e.job}/${e.stream}: ${e.line}`));
    if (i === 3) off();
  });
  const ring = new RingBuffer();
  await captureOutput(stream, {
    job: "api",
    stream: "stderr",
    target: { kind: "discard" },
    ring,
    bus,
    files: new OutputFiles(),
  });
  deepStrictEqual(lines, ["api/stderr: two", "api/stderr: three"]);
  equal(ring.size, 4);
});

Deno.test("a consumer that throws does not stop the stream being drained", async () => {
  const ring = new RingBuffer();
  await captureOutput(streamOf(["a\n", "b\n", "c\n"]), {
    job: "j",
    stream: "stderr",
    target: { kind: "discard" },
    ring,
    bus: new EventBus(),
    files: new OutputFiles(),
    onLine: () => {
      throw new Error("broken consumer");
    },
  });
  deepStrictEqual(ring.tail(), ["a", "b", "c"]);
});

Deno.test("a stream ring gets only its stream's lines, settled when read", async () => {
  const ring = new RingBuffer(1000);
  const stderrRing = new RingBuffer(3);
  const big = Array.from({ length: 2000 }, (_, i) => `err ${i}\n`).join(""); // lazy-sized chunk
  await Promise.all([
    captureOutput(streamOf([big]), {
      job: "j",
      stream: "stderr",
      target: { kind: "discard" },
      ring,
      streamRing: stderrRing,
      bus: new EventBus(),
      files: new OutputFiles(),
    }),
    captureOutput(streamOf(["out\n"]), {
      job: "j",
      stream: "stdout",
      target: { kind: "discard" },
      ring,
      bus: new EventBus(),
      files: new OutputFiles(),
    }),
  ]);
  deepStrictEqual(stderrRing.tail(), ["err 1997", "err 1998", "err 1999"]);
  equal(ring.size, 1000);
  ok(ring.tail().every((line) => line === "out" || line.startsWith("err ")));
});
