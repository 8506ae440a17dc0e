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
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
