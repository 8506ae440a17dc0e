import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { dispose, getLogger } from "@logtape/logtape";
import { type ConsoleTarget, DEFAULT_LOGGING, effectiveLevel, setupLogging } from "./logging.ts";

function recordingConsole(): { console: ConsoleTarget["console"]; lines: string[] } {
  const lines: string[] = [];
  const write = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  const fake = { debug: write, info: write, warn: write, error: write, log: write };
  return { console: fake as unknown as ConsoleTarget["console"], lines };
}

Deno.test("-v and -q override the configured level", () => {
  deepStrictEqual(
    [
      effectiveLevel("info", {}),
      effectiveLevel("info", { verbose: true }),
      effectiveLevel("error", { verbose: true }),
      effectiveLevel("info", { quiet: true }),
      effectiveLevel("debug", { quiet: true }),
      effectiveLevel("error", { quiet: true }),
    ],
    ["info", "debug", "debug", "warning", "warning", "error"],
  );
});

Deno.test("job output and sup's messages reach the console with timestamps, filtered by level", async () => {
  const { console, lines } = recordingConsole();
  await setupLogging(DEFAULT_LOGGING, {}, { console, color: false });
  getLogger(["sup", "job", "web"]).info("listening on 8080");
  getLogger(["sup", "supervisor"]).debug("hidden at info");
  getLogger(["sup"]).warn("disk almost full");
  await dispose();
  equal(lines.length, 2, lines.join("\n"));
  ok(
    /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \[INF\] sup·job·web: listening on 8080$/.test(lines[0]),
    lines[0],
  );
  ok(lines[1].endsWith("[WRN] sup: disk almost full"), lines[1]);
});

Deno.test("calling setupLogging again replaces the setup (JSON lines, verbose)", async () => {
  const first = recordingConsole();
  await setupLogging(DEFAULT_LOGGING, {}, { console: first.console, color: false });
  const second = recordingConsole();
  await setupLogging({ ...DEFAULT_LOGGING, format: "json" }, { verbose: true }, {
    console: second.console,
    color: false,
  });
  getLogger(["sup", "job", "api"]).debug("debug line {n}", { n: 1 });
  await dispose();
  equal(first.lines.length, 0);
  equal(second.lines.length, 1);
  const record = JSON.parse(second.lines[0]);
  deepStrictEqual([record.level, record.logger, record.message], [
    "DEBUG",
    "sup.job.api",
    "debug line 1",
  ]);
});

Deno.test("the file sink writes JSON lines to the configured file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-log-test-" });
  try {
    const file = join(dir, "logs", "sup.log");
    const { console } = recordingConsole();
    await setupLogging({ ...DEFAULT_LOGGING, file }, {}, { console, color: false });
    getLogger(["sup", "job", "web"]).error("crashed");
    await dispose();
    const record = JSON.parse((await Deno.readTextFile(file)).trim());
    deepStrictEqual([record.level, record.logger, record.message], [
      "ERROR",
      "sup.job.web",
      "crashed",
    ]);
    const mode = (path: string) => Deno.statSync(path).mode! & 0o777;
    deepStrictEqual([mode(file), mode(join(dir, "logs"))], [0o600, 0o700], "only sup's user reads");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("on a terminal the console sink colours levels; without one it writes plain text", async () => {
  const coloured = recordingConsole();
  await setupLogging(DEFAULT_LOGGING, {}, { console: coloured.console, color: true });
  getLogger(["sup"]).error("job web is fatal");
  await dispose();
  equal(coloured.lines.length, 1);
  ok(coloured.lines[0].includes("\x1b["), JSON.stringify(coloured.lines[0]));
  ok(coloured.lines[0].includes("job web is fatal"));
  const plain = recordingConsole();
  await setupLogging(DEFAULT_LOGGING, {}, { console: plain.console, color: false });
  getLogger(["sup"]).error("job web is fatal");
  await dispose();
  ok(!plain.lines[0].includes("\x1b["), JSON.stringify(plain.lines[0]));
});

Deno.test("-q keeps warnings and errors only, in the console and the file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-log-test-" });
  try {
    const file = join(dir, "sup.log");
    const { console, lines } = recordingConsole();
    await setupLogging({ ...DEFAULT_LOGGING, file }, { quiet: true }, { console, color: false });
    getLogger(["sup"]).info("started");
    getLogger(["sup"]).warn("slow start");
    await dispose();
    equal(lines.length, 1);
    ok(lines[0].endsWith("[WRN] sup: slow start"), lines[0]);
    const records = (await Deno.readTextFile(file)).trim().split("\n").map((l) => JSON.parse(l));
    deepStrictEqual(records.map((r) => r.message), ["slow start"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the log file rotates at maxSize and keeps maxFiles old files, gzipped", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-log-test-" });
  try {
    const file = join(dir, "sup.log");
    const { console } = recordingConsole();
    await setupLogging({ ...DEFAULT_LOGGING, file, maxBytes: 300, maxFiles: 2 }, {}, {
      console,
      color: false,
    });
    for (let i = 0; i < 40; i++) {
      getLogger(["sup", "job", "web"]).info("line {i}", { i });
      await new Promise((resolve) => setTimeout(resolve, 10)); // let the sink write
    }
    await dispose();
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    deepStrictEqual(names.sort(), ["sup.log", "sup.log.1.gz", "sup.log.2.gz"]);
    const read = async (name: string) => {
      const bytes = await Deno.readFile(join(dir, name));
      const body = name.endsWith(".gz")
        ? new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))
        : bytes;
      const text = await new Response(body).text();
      return text.trim().split("\n").map((l) => JSON.parse(l).properties.i);
    };
    const [older, old, current] = [
      await read("sup.log.2.gz"),
      await read("sup.log.1.gz"),
      await read("sup.log"),
    ];
    equal(current[current.length - 1], 39);
    ok(older[older.length - 1] < old[0] && old[old.length - 1] < current[0], "in order");
    ok(older[0] > 0, "the oldest lines were dropped");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a line reaches the log file within seconds even when nothing else is logged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-log-test-" });
  try {
    const file = join(dir, "sup.log");
    const { console } = recordingConsole();
    await setupLogging({ ...DEFAULT_LOGGING, file }, {}, { console, color: false });
    getLogger(["sup", "supervisor"]).info("job web exited with 1");
    let text = "";
    const deadline = Date.now() + 5000;
    while (!text.includes("job web exited with 1") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      text = await Deno.readTextFile(file).catch(() => "");
    }
    await dispose();
    ok(text.includes("job web exited with 1"), "flushed before dispose");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
