import { deepStrictEqual as assertEquals, match } from "node:assert/strict";
import { selectJobs, selectorProblem } from "./selector.ts";

const jobs = [
  { name: "web", groups: ["front"] },
  { name: "api", groups: ["front", "back"] },
  { name: "db", groups: ["back"] },
];

Deno.test("a selector names a job, a group or every job, in config order", () => {
  assertEquals(selectJobs(["db"], jobs), ["db"]);
  assertEquals(selectJobs(["group:front"], jobs), ["web", "api"]);
  assertEquals(selectJobs(["db", "group:front"], jobs), ["web", "api", "db"]);
  assertEquals(selectJobs(["*"], jobs), ["web", "api", "db"]);
  assertEquals(selectJobs([], jobs), []);
});

Deno.test("unknown jobs and groups are named with a did-you-mean", () => {
  assertEquals(selectorProblem("web", jobs), null);
  assertEquals(selectorProblem("group:back", jobs), null);
  match(
    selectorProblem("wbe", jobs)!,
    new RegExp(RegExp.escape('unknown job "wbe" (did you mean "web"?)')),
  );
  match(
    selectorProblem("group:frnt", jobs)!,
    new RegExp(RegExp.escape('unknown group "frnt" (did you mean "group:front"?)')),
  );
  match(selectorProblem("front", jobs)!, new RegExp(RegExp.escape('"group:front"')));
  match(
    selectorProblem("group:x", [{ name: "a", groups: [] }])!,
    new RegExp(RegExp.escape("no job lists")),
  );
});
