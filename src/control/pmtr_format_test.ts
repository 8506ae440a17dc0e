import { deepStrictEqual, equal, ok } from "node:assert/strict";
import {
  MAX_CONTROL_BYTES,
  parseControl,
  parseReport,
  reportDatagrams,
  type ReportLine,
} from "./pmtr_format.ts";

const web: ReportLine = {
  name: "web",
  disabled: false,
  elapsedSeconds: 3605.9,
  pid: 4242,
  command: "/usr/bin/node",
};
const batch: ReportLine = {
  name: "batch",
  disabled: true,
  elapsedSeconds: 0,
  pid: 0,
  command: "x",
};

Deno.test("the report is pmtr's: a report line, then name e|d seconds pid command", () => {
  deepStrictEqual(reportDatagrams("kiosk-3", [web, batch]), [
    "report kiosk-3\nweb e 3605 4242 /usr/bin/node\nbatch d 0 0 x\n",
  ]);
  deepStrictEqual(reportDatagrams("kiosk-3 10.0.0.5", []), ["report kiosk-3 10.0.0.5\n"]);
});

Deno.test("a report read back gives the lines it was made of (whole seconds)", () => {
  const [text] = reportDatagrams("h", [web, batch]);
  deepStrictEqual(parseReport(text), {
    id: "h",
    lines: [{ ...web, elapsedSeconds: 3605 }, batch],
  });
  equal(parseReport("hello\n"), null);
  equal(parseReport("report h\nweb x 1 2 y\n"), null);
});

Deno.test("a long report is split, each datagram under the limit with its own report line", () => {
  const lines = Array.from({ length: 50 }, (_, i) => ({ ...web, name: `job-${i}` }));
  const parts = reportDatagrams("h", lines, 400);
  ok(parts.length > 1);
  for (const part of parts) {
    ok(new TextEncoder().encode(part).length <= 400, part);
    ok(part.startsWith("report h\n"));
  }
  deepStrictEqual(
    parts.flatMap((p) => parseReport(p)!.lines.map((l) => l.name)),
    lines.map((l) => l.name),
  );
});

Deno.test("spaces in a command never add fields", () => {
  const [text] = reportDatagrams("h", [{ ...web, command: "/opt/my app/run" }]);
  equal(text, "report h\nweb e 3605 4242 /opt/my_app/run\n");
});

const bytes = (text: string) => new TextEncoder().encode(text);

const good: [string, string, [string, string][]][] = [
  ["one job", "disable web", [["disable", "web"]]],
  ["several, both verbs (pmtr's grammar)", "disable a b enable c", [
    ["disable", "a"],
    ["disable", "b"],
    ["enable", "c"],
  ]],
  ["a trailing newline (echo | nc -u)", "enable web\n", [["enable", "web"]]],
  ["tabs and repeated spaces", "  enable\tweb   group:x ", [["enable", "web"], [
    "enable",
    "group:x",
  ]]],
];
for (const [name, text, commands] of good) {
  Deno.test(`control datagram: ${name}`, () => {
    const parsed = parseControl(bytes(text));
    ok(parsed.ok);
    deepStrictEqual(parsed.commands.map((c) => [c.verb, c.target]), commands);
  });
}

const bad: [string, Uint8Array, string][] = [
  ["empty", bytes(""), "bad-command"],
  ["blank", bytes(" \n"), "bad-command"],
  ["no verb first", bytes("web disable"), "bad-command"],
  ["a verb without a job", bytes("disable"), "no-job"],
  ["a verb without a job before another", bytes("disable enable web"), "no-job"],
  ["not UTF-8", new Uint8Array([0x64, 0xff, 0xfe, 0x20, 0x61]), "not-text"],
  ["control characters", bytes("disable w\u0000eb"), "not-text"],
  ["over 2000 bytes", bytes(`disable ${"x".repeat(MAX_CONTROL_BYTES)}`), "oversized"],
  ["OSC by mistake", bytes("/heart\u0000\u0000,s\u0000\u0000web\u0000"), "not-text"],
];
for (const [name, datagram, code] of bad) {
  Deno.test(`control garbage is refused: ${name}`, () => {
    const parsed = parseControl(datagram);
    ok(!parsed.ok);
    equal(parsed.refusal.code, code);
  });
}

Deno.test("a datagram the socket truncated is oversized", () => {
  const parsed = parseControl(bytes("disable web"), true);
  ok(!parsed.ok && parsed.refusal.code === "oversized");
});
