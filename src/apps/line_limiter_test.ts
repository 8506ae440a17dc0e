import { equal } from "node:assert/strict";
import { clip, LineLimiter } from "./line_limiter.ts";

Deno.test("a key writes its budget of lines per interval, then the next line carries the count", () => {
  const limit = new LineLimiter(1000, 2);
  equal(limit.take("a", 0), 0);
  equal(limit.take("a", 10), 0);
  equal(limit.take("a", 20), null);
  equal(limit.take("a", 30), null);
  equal(limit.take("b", 30), 0);
  equal(limit.take("a", 1000), 2);
  equal(limit.take("a", 1001), 0);
});

Deno.test("the limiter remembers a bounded number of keys", () => {
  const limit = new LineLimiter(1000, 1);
  for (let i = 0; i < 10_000; i++) limit.take(`k${i}`, 0);
  equal(limit.size <= 4096, true);
});

Deno.test("long text is clipped and says how much was cut", () => {
  equal(clip("x".repeat(5000), 10), `${"x".repeat(10)}…(+4990 chars)`);
  equal(clip("short"), "short");
});
