import { deepStrictEqual } from "node:assert/strict";
import { formatIssue, IssueList } from "./config_error.ts";
import { checkJsonData } from "./json_data.ts";

function problems(value: unknown): string[] {
  const issues = new IssueList();
  checkJsonData(value, "app", issues);
  return issues.items.map(formatIssue);
}

Deno.test("JSON data passes: strings, numbers, booleans, null, arrays, objects, shared subtrees", () => {
  const shared = { a: 1 };
  deepStrictEqual(
    problems({ s: "x", n: 1.5, b: true, z: null, l: [1, [2]], o: shared, p: shared, u: undefined }),
    [],
  );
});

Deno.test("what JSON cannot carry is reported with its path", () => {
  const cyclic: Record<string, unknown> = { name: "x" };
  cyclic.self = cyclic;
  deepStrictEqual(
    problems({
      big: 10n,
      fn: () => 1,
      when: new Date(0),
      tags: new Set(),
      n: NaN,
      c: cyclic,
      l: [Infinity],
    }),
    [
      "app.big: must be JSON data (a string, number, boolean, null, array or object), got a bigint 10",
      "app.fn: must be JSON data (a string, number, boolean, null, array or object), got a function",
      "app.when: must be JSON data (a string, number, boolean, null, array or object), got a Date",
      "app.tags: must be JSON data (a string, number, boolean, null, array or object), got a Set",
      "app.n: must be JSON data (a string, number, boolean, null, array or object), got NaN",
      "app.c.self: refers back to an object that contains it (JSON data has no cycles)",
      "app.l[0]: must be JSON data (a string, number, boolean, null, array or object), got Infinity",
    ],
  );
});
