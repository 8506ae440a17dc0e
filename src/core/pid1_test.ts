import { equal, match } from "node:assert/strict";
import { pid1Warning } from "./pid1.ts";

Deno.test("sup as PID 1 warns about orphans and suggests tini or docker --init", () => {
  const warning = pid1Warning(1) ?? "";
  match(warning, /PID 1/);
  match(warning, /reap orphan/);
  match(warning, /tini/);
  match(warning, /docker run --init/);
});

Deno.test("sup under another pid does not warn", () => {
  equal(pid1Warning(2), null);
  equal(pid1Warning(Deno.pid === 1 ? 4242 : Deno.pid), null);
});
