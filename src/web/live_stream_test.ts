import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { type LiveSink, ndjsonResponse } from "./live_stream.ts";

async function readAll(response: Response): Promise<string[]> {
  return (await response.text()).split("\n").filter((line) => line !== "");
}

Deno.test("records sent while opening arrive as NDJSON, and end() ends the response", async () => {
  let cleaned = 0;
  const response = ndjsonResponse((sink) => {
    sink.send({ a: 1 });
    sink.send({ b: "two" });
    sink.end();
    return () => cleaned++;
  });
  equal(response.headers.get("content-type"), "application/x-ndjson");
  deepStrictEqual((await readAll(response)).map((l) => JSON.parse(l)), [{ a: 1 }, { b: "two" }]);
  equal(cleaned, 1);
});

Deno.test("a reader that stops reading costs at most maxQueuedBytes; drops are counted and told", async () => {
  let sink!: LiveSink;
  const response = ndjsonResponse((s) => {
    sink = s;
    return () => {};
  }, { maxQueuedBytes: 100_000, keepaliveMs: 0 });
  const record = { line: "x".repeat(990) }; // ~1 KB per record
  for (let i = 0; i < 10_000; i++) sink.send(record); // 10 MB offered, nobody reads
  const reader = response.body!.getReader();
  let bytes = 0;
  const lines: string[] = [];
  let carry = "";
  const decoder = new TextDecoder();
  // Read what was queued, then let a few more records through and end.
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      bytes += value.length;
      const parts = (carry + decoder.decode(value, { stream: true })).split("\n");
      carry = parts.pop()!;
      lines.push(...parts);
    }
  })();
  await new Promise((r) => setTimeout(r, 50));
  sink.send({ after: true });
  sink.end();
  await pump;
  ok(bytes < 100_000 + 64 * 1024 + 4_000, `read ${bytes} bytes`);
  const dropped = lines.map((l) => JSON.parse(l)).find((r) => "dropped" in r);
  ok(dropped && dropped.dropped > 9_000, `dropped notice: ${JSON.stringify(dropped)}`);
  deepStrictEqual(JSON.parse(lines.at(-1)!), { after: true });
});

Deno.test("a reader that goes away runs the cleanup once; later sends are ignored", async () => {
  let sink!: LiveSink;
  let cleaned = 0;
  const response = ndjsonResponse((s) => {
    sink = s;
    return () => cleaned++;
  }, { keepaliveMs: 0 });
  sink.send({ first: 1 });
  const reader = response.body!.getReader();
  await reader.read();
  await reader.cancel();
  equal(cleaned, 1);
  equal(sink.closed, true);
  sink.send({ ignored: true });
  sink.end();
  equal(cleaned, 1);
});

Deno.test("keepalive sends empty lines while nothing happens", async () => {
  let sink!: LiveSink;
  const response = ndjsonResponse((s) => {
    sink = s;
    return () => {};
  }, { keepaliveMs: 20 });
  const reader = response.body!.getReader();
  const hold = setTimeout(() => {}, 5_000); // the keepalive timer does not hold the process
  const { value } = await reader.read();
  clearTimeout(hold);
  equal(new TextDecoder().decode(value), "\n");
  sink.end();
  await reader.cancel();
});
