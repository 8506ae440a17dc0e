import { deepStrictEqual, equal, notEqual } from "node:assert/strict";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { createJobResolver, resolveJob } from "./resolve_job.ts";

const hb = { timeoutMs: 1000, startupTimeoutMs: 5000, action: "restart" } as const;
const one = resolvedConfig([
  resolvedJob("web", ["x"]),
  resolvedJob("kiosk", ["x"], { heartbeat: hb }),
]);
const two = resolvedConfig([
  resolvedJob("a", ["x"], { heartbeat: hb }),
  resolvedJob("b", ["x"], { heartbeat: hb }),
]);
const none = resolvedConfig([resolvedJob("web", ["x"])]);

Deno.test("an explicit job name that exists is used", () => {
  deepStrictEqual(resolveJob(one, "web"), { ok: true, job: "web" });
});

Deno.test("an explicit job name that does not exist is refused with the name", () => {
  deepStrictEqual(resolveJob(one, "nope"), { ok: false, reason: 'No job named "nope"' });
});

Deno.test("no name resolves to the only job with a heartbeat", () => {
  deepStrictEqual(resolveJob(one, null), { ok: true, job: "kiosk" });
  deepStrictEqual(resolveJob(one, undefined), { ok: true, job: "kiosk" });
  deepStrictEqual(resolveJob(one, ""), { ok: true, job: "kiosk" });
});

Deno.test("no name with two heartbeat jobs is refused naming them", () => {
  const r = resolveJob(two, null);
  equal(r.ok, false);
  if (!r.ok) {
    equal(r.reason, 'No job named, and 2 jobs have a heartbeat configured ("a", "b"): name one');
  }
});

Deno.test("no name with no heartbeat job is refused", () => {
  const r = resolveJob(none, null);
  equal(r.ok, false);
  if (!r.ok) equal(r.reason, "No job named, and no job has a heartbeat configured to default to");
});

Deno.test("a resolver follows the config it reads", () => {
  let config = one;
  const resolve = createJobResolver(() => config);
  deepStrictEqual(resolve(null), { ok: true, job: "kiosk" });
  config = two;
  notEqual(resolve(null).ok, true);
  deepStrictEqual(resolve("b"), { ok: true, job: "b" });
});
