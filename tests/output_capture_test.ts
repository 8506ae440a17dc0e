/**
 * Job output through sup with real child processes: to files, sup's log
 * (LogTape), or nowhere; always to the ring buffer; to `job.output` events
 * when someone listens.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { EventBus } from "../src/core/event_bus.ts";
import type { SupEvent } from "../src/core/events.ts";
import { captureOutput } from "../src/core/output_capture.ts";
import { OutputFiles } from "../src/core/output_files.ts";
import { RingBuffer } from "../src/core/ring_buffer.ts";
import type { ResolvedOutput } from "../src/config/resolved.ts";

const fileTarget = (path: string): ResolvedOutput => ({
  kind: "file",
  path,
  maxBytes: 0,
  maxFiles: 0,
  daily: false,
  mode: 0o600,
});

/** Runs `script` under /bin/sh with both pipes captured; resolves when both streams ended. */
async function run(
  script: string,
  targets: { stdout: ResolvedOutput; stderr: ResolvedOutput },
  setup: { bus?: EventBus; ring?: RingBuffer; files?: OutputFiles } = {},
) {
  const bus = setup.bus ?? new EventBus();
  const ring = setup.ring ?? new RingBuffer();
  const files = setup.files ?? new OutputFiles();
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", script],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const common = { job: "web", ring, bus, files };
  await Promise.all([
    captureOutput(child.stdout, { ...common, stream: "stdout", target: targets.stdout }),
    captureOutput(child.stderr, { ...common, stream: "stderr", target: targets.stderr }),
  ]);
  const status = await child.status;
  return { ring, bus, files, status };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sup_output_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a job's lines reach its file, the ring buffer and job.output listeners", () =>
  withDir(async (dir) => {
    const bus = new EventBus();
    const events: Extract<SupEvent, { type: "job.output" }>[] = [];
    bus.on("job.output", (event) => events.push(event));
    const { ring, files } = await run(
      `echo one; echo two; echo oops >&2; echo three`,
      { stdout: fileTarget(`${dir}/out.log`), stderr: fileTarget(`${dir}/err.log`) },
      { bus },
    );
    equal(await Deno.readTextFile(`${dir}/out.log`), "one\ntwo\nthree\n");
    equal(await Deno.readTextFile(`${dir}/err.log`), "oops\n");
    deepStrictEqual(ring.tail().filter((l) => l !== "oops"), ["one", "two", "three"]);
    ok(ring.tail().includes("oops"));
    deepStrictEqual(
      events.filter((e) => e.stream === "stdout").map((e) => e.line),
      ["one", "two", "three"],
    );
    deepStrictEqual(events.filter((e) => e.stream === "stderr").map((e) => [e.job, e.line]), [
      ["web", "oops"],
    ]);
    deepStrictEqual(files.paths(), [], "files are released when the streams end");
  }));

Deno.test("stdout and stderr pointed at one file share one writer", () =>
  withDir(async (dir) => {
    const path = `${dir}/both.log`;
    const { files } = await run(
      `for i in 1 2 3 4 5; do echo "out $i"; echo "err $i" >&2; done`,
      { stdout: fileTarget(path), stderr: fileTarget(path) },
    );
    const lines = (await Deno.readTextFile(path)).split("\n").filter(Boolean).sort();
    deepStrictEqual(lines, [1, 2, 3, 4, 5].flatMap((i) => [`err ${i}`, `out ${i}`]).sort());
    deepStrictEqual(files.paths(), []);
  }));

Deno.test("a partial last line without newline is delivered at exit", () =>
  withDir(async (dir) => {
    const { ring } = await run(`printf 'first\\nno newline'`, {
      stdout: fileTarget(`${dir}/out.log`),
      stderr: { kind: "discard" },
    });
    deepStrictEqual(ring.tail(), ["first", "no newline"]);
    equal(await Deno.readTextFile(`${dir}/out.log`), "first\nno newline");
  }));

Deno.test("invalid UTF-8 from a job becomes replacement characters, not a crash", async () => {
  const { ring, status } = await run(`printf 'ok\\n\\377\\376bad\\n\\303'; exit 0`, {
    stdout: { kind: "discard" },
    stderr: { kind: "discard" },
  });
  equal(status.code, 0);
  deepStrictEqual(ring.tail(), ["ok", "\uFFFD\uFFFDbad", "\uFFFD"]);
});

Deno.test("discarded output is drained and still kept in the ring buffer", async () => {
  // 2 MB to a pipe nobody drained would block the job: it exits only if sup reads.
  const { ring, status } = await run(`yes line | head -n 300000; echo done`, {
    stdout: { kind: "discard" },
    stderr: { kind: "discard" },
  });
  equal(status.code, 0);
  const tail = ring.tail();
  equal(tail.length, 1000);
  equal(tail.at(-1), "done");
  equal(tail[0], "line");
});

Deno.test("a job writing 50 MB as fast as it can gets every byte to its file quickly", () =>
  withDir(async (dir) => {
    const path = `${dir}/fast.log`;
    const started = performance.now();
    const { ring } = await run(
      `yes 'a line of output from a busy job, about sixty bytes long' | head -c 50000000; echo; echo end`,
      { stdout: fileTarget(path), stderr: { kind: "discard" } },
    );
    const seconds = (performance.now() - started) / 1000;
    equal((await Deno.stat(path)).size, 50_000_000 + "\nend\n".length);
    ok(seconds < 20, `50 MB took ${seconds.toFixed(1)} s`);
    const tail = ring.tail();
    equal(tail.length, 1000);
    equal(tail.at(-1), "end");
    equal(tail.at(-3), "a line of output from a busy job, about sixty bytes long");
  }));

Deno.test("a job printing megabytes without a newline does not grow the ring past the cap", async () => {
  const { ring } = await run(`head -c 5000000 /dev/zero | tr '\\0' x; echo; echo after`, {
    stdout: { kind: "discard" },
    stderr: { kind: "discard" },
  });
  const tail = ring.tail();
  equal(tail.length, 2);
  ok(tail[0].startsWith("xxxx") && tail[0].endsWith(" [truncated]"));
  ok(tail[0].length < 17_000, `cut line is ${tail[0].length} chars`);
  equal(tail[1], "after");
});

Deno.test("log target: stdout and stderr lines are info under [sup, job, name, stream]", async () => {
  const records: LogRecord[] = [];
  await configure({
    reset: true,
    sinks: { test: (record) => records.push(record) },
    loggers: [
      { category: ["sup", "job"], sinks: ["test"], lowestLevel: "debug" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
  try {
    const { ring } = await run(`echo 'hello {name}'; echo 'bad thing' >&2`, {
      stdout: { kind: "log" },
      stderr: { kind: "log" },
    });
    const seen = records.map((r) => [r.category.join("."), r.level, r.message.join("")]);
    deepStrictEqual(seen.sort(), [
      ["sup.job.web.stderr", "info", "bad thing"],
      ["sup.job.web.stdout", "info", "hello {name}"],
    ]);
    equal(ring.size, 2);
  } finally {
    await reset();
  }
});
