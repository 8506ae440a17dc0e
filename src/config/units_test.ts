import { deepStrictEqual } from "node:assert/strict";
import { formatDuration, formatSize, parseDuration, parseSize } from "./units.ts";
import type { Duration, Size } from "./types.ts";

const durations: [unknown, number | string][] = [
  ["250ms", 250],
  ["10s", 10_000],
  ["1.5s", 1500],
  ["5m", 300_000],
  ["1h", 3_600_000],
  ["1d", 86_400_000],
  ["10S", '"10S" is not a duration (expected e.g. "10s")'],
  [" 2m ", '" 2m " is not a duration (expected e.g. "2m")'],
  ["366d", 366 * 86_400_000],
  ["367d", '"367d" is longer than the longest duration sup accepts (366d)'],
  [1e300, "1e+300 is longer than the longest duration sup accepts (366d)"],
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
  ["1e3ms", 1000],
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
  ["200mb", '"200mb" is not a size (expected e.g. "200MB")'],
  ["4096", '"4096" is not a size (add a unit, e.g. "4096MB", or write a number)'],
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

Deno.test("the Duration and Size types and the parser accept the same spellings", () => {
  // What the types accept, the parser accepts.
  const durations: Duration[] = ["250ms", "10s", "1.5h", "5m", "30d", 1500];
  const sizes: Size[] = ["512KB", "200MB", "1.5GB", "100B", "1TB", 4096];
  for (const d of durations) deepStrictEqual(parseDuration(d).ok, true, String(d));
  for (const s of sizes) deepStrictEqual(parseSize(s).ok, true, String(s));
  // What the types refuse (deno check fails on an unused @ts-expect-error), the parser refuses.
  // @ts-expect-error lowercase size units
  const lowerSize: Size = "200mb";
  // @ts-expect-error uppercase duration units
  const upperDuration: Duration = "10S";
  // @ts-expect-error a size string without a unit
  const bare: Size = "4096";
  // @ts-expect-error a unit the types do not know
  const long: Duration = "10sec";
  for (const s of [lowerSize, bare]) deepStrictEqual(parseSize(s).ok, false, String(s));
  for (const d of [upperDuration, long]) {
    deepStrictEqual(parseDuration(d).ok, false, String(d));
  }
});
