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

Deno.test("a word that begins or ends exactly one candidate suggests it", () => {
  equal(suggest("warn", ["debug", "info", "warning", "error"]), "warning");
  equal(suggest("TERM", ["SIGTERM", "SIGINT", "SIGKILL"]), "SIGTERM");
  equal(suggest("heart", ["heartbeat", "env"]), "heartbeat");
  equal(suggest("max", ["maxMemory", "maxRetries"]), undefined, "two candidates: no guess");
  equal(suggest("hb", ["hbx", "hbeat"]), "hbx", "short words only by edit distance");
  equal(suggest("c", ["a", "b"]), undefined, "one letter is no typo of another");
  equal(suggest("A", ["a", "b"]), "a");
});
