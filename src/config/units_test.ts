import { deepStrictEqual } from "node:assert/strict";
import { formatDuration, formatSize, parseDuration, parseSize } from "./units.ts";

const durations: [unknown, number | string][] = [
  ["250ms", 250],
  ["10s", 10_000],
  ["1.5s", 1500],
  ["5m", 300_000],
  ["1h", 3_600_000],
  ["1d", 86_400_000],
  ["10S", 10_000],
  [" 2m ", 120_000],
  [0, 0],
  [1500, 1500],
  ["10", '"10" is not a duration (add a unit, e.g. "10s", or write a number)'],
  ["10x", '"10x" is not a duration (expected e.g. "10s")'],
  ["s", '"s" is not a duration (expected e.g. "10s")'],
  ["10sec", '"10sec" is not a duration (expected e.g. "10s")'],
  ["5 min", '"5 min" is not a duration (expected e.g. "5m")'],
  ["1.5 hours", '"1.5 hours" is not a duration (expected e.g. "1.5h")'],
  ["2days", '"2days" is not a duration (expected e.g. "2d")'],
  ["300msec", '"300msec" is not a duration (expected e.g. "300ms")'],
  ["10 s", 10_000],
  ["-1s", '"-1s" is not a duration (expected e.g. "10s")'],
  [-5, '-5 is not a duration (expected e.g. "10s")'],
  [Infinity, 'Infinity is not a duration (expected e.g. "10s")'],
  [true, 'true is not a duration (expected e.g. "10s")'],
  [null, 'null is not a duration (expected e.g. "10s")'],
];

for (const [input, expected] of durations) {
  Deno.test(`parseDuration(${JSON.stringify(input) ?? String(input)}) gives ${expected}`, () => {
    const result = parseDuration(input);
    deepStrictEqual(
      result,
      typeof expected === "number" ? { ok: true, value: expected } : { ok: false, error: expected },
    );
  });
}

const sizes: [unknown, number | string][] = [
  ["512KB", 512 * 1024],
  ["200MB", 200 * 1024 * 1024],
  ["1GB", 1024 ** 3],
  ["1TB", 1024 ** 4],
  ["100B", 100],
  ["1.5KB", 1536],
  ["200mb", 200 * 1024 * 1024],
  ["4096", 4096],
  [4096, 4096],
  ["200XB", '"200XB" is not a size (expected e.g. "512MB")'],
  ["1.5GiB", '"1.5GiB" is not a size (expected e.g. "1.5GB")'],
  ["512k", '"512k" is not a size (expected e.g. "512KB")'],
  ["100 bytes", '"100 bytes" is not a size (expected e.g. "100B")'],
  ["1.5GB", 1.5 * 1024 ** 3],
  ["MB", '"MB" is not a size (expected e.g. "512MB")'],
  [-1, '-1 is not a size (expected e.g. "512MB")'],
  [1.5, '1.5 is not a size (a number counts bytes; expected a whole number, or e.g. "1.5GB")'],
  [{}, '{} is not a size (expected e.g. "512MB")'],
];

for (const [input, expected] of sizes) {
  Deno.test(`parseSize(${JSON.stringify(input)}) gives ${expected}`, () => {
    deepStrictEqual(
      parseSize(input),
      typeof expected === "number" ? { ok: true, value: expected } : { ok: false, error: expected },
    );
  });
}

Deno.test("durations and sizes format back to their shortest exact text", () => {
  deepStrictEqual(
    [0, 250, 1500, 10_000, 300_000, 3_600_000, 86_400_000].map(formatDuration),
    ["0ms", "250ms", "1500ms", "10s", "5m", "1h", "1d"],
  );
  deepStrictEqual(
    [0, 100, 1024, 1536, 200 * 1024 ** 2, 1024 ** 3].map(formatSize),
    ["0B", "100B", "1KB", "1536B", "200MB", "1GB"],
  );
});
