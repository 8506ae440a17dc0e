import { median, p90, quantile, ratio, summarize } from "./stats.ts";

function assertEquals(actual: unknown, expected: unknown): void {
  if (!Object.is(actual, expected) && JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

Deno.test("median of an odd count is the middle value, unsorted input", () => {
  assertEquals(median([5, 1, 3]), 3);
});

Deno.test("median of an even count is the mean of the two middle values", () => {
  assertEquals(median([4, 1, 3, 2]), 2.5);
});

Deno.test("p90 interpolates between closest ranks", () => {
  const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assertEquals(p90(ten), 9.1);
  assertEquals(quantile(ten, 1), 10);
  assertEquals(quantile(ten, 0), 1);
});

Deno.test("empty samples give NaN, not a throw", () => {
  assertEquals(median([]), NaN);
  assertEquals(summarize([]).n, 0);
});

Deno.test("summarize reports min, max and count", () => {
  assertEquals(summarize([3, 1, 2]), { n: 3, median: 2, p90: 2.8, min: 1, max: 3 });
});

Deno.test("ratio is NaN when the divisor is missing or zero", () => {
  assertEquals(ratio(1, 0), NaN);
  assertEquals(ratio(1, undefined), NaN);
  assertEquals(ratio(3, 2), 1.5);
});
