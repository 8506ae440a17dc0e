import { deepStrictEqual, equal } from "node:assert/strict";
import { parseStatmPages, parseStatUsage } from "./metrics_proc.ts";

Deno.test("stat fields are counted after the last parenthesis (a command may hold spaces and parentheses)", () => {
  const fields = Array.from({ length: 50 }, (_, i) => i + 3); // field n holds n
  const rest = ["S", ...fields.slice(1)].join(" ");
  deepStrictEqual(parseStatUsage(`4242 (my (odd) job) ${rest}`), {
    pgrp: 5,
    ownTicks: 14 + 15,
    childTicks: 16 + 17,
  });
  equal(parseStatUsage("garbage"), null);
  equal(parseStatUsage("1 (x) S 0 notanumber"), null);
});

Deno.test("statm's second field is the resident pages", () => {
  equal(parseStatmPages("1000 250 30 4 0 90 0\n"), 250);
  equal(parseStatmPages(""), null);
});
