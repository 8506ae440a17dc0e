import { deepStrictEqual, equal } from "node:assert/strict";
import { didYouMean, editDistance, suggest } from "./suggest.ts";

Deno.test("edit distance counts insertions, deletions and substitutions", () => {
  deepStrictEqual(
    [
      editDistance("", ""),
      editDistance("cmd", "cmd"),
      editDistance("cmd", "cm"),
      editDistance("kitten", "sitting"),
      editDistance("maxMemory", "maxmemory"),
      editDistance("levle", "level"),
    ],
    [0, 0, 1, 3, 0, 1],
  );
});

Deno.test("a misspelt key suggests the nearest known key", () => {
  const keys = ["cmd", "dir", "env", "restart", "maxMemory", "maxRetries", "killTimeout"];
  equal(suggest("restrat", keys), "restart");
  equal(suggest("maxMemroy", keys), "maxMemory");
  equal(suggest("killtimeout", keys), "killTimeout");
  equal(suggest("command", keys), undefined);
  equal(didYouMean("envv", keys), ' (did you mean "env"?)');
  equal(didYouMean("zzzzzz", keys), "");
});
