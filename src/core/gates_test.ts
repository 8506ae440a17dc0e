import { equal } from "node:assert/strict";
import { blockedBy, type GateFacts } from "./gates.ts";
import { resolvedJob } from "../testing/resolved_job.ts";
import { deepEqual, planReload } from "./reload_plan.ts";
import { deepStrictEqual } from "node:assert/strict";

const setup = resolvedJob("setup", ["true"], { wait: true, once: true });
const db = resolvedJob("db", ["db"], {
  heartbeat: { timeoutMs: 1, startupTimeoutMs: 1, action: "restart" },
});
const api = resolvedJob("api", ["api"], { after: ["db"] });
const early = resolvedJob("early", ["x"]);

const rows: { name: string; facts: Record<string, GateFacts>; job: string; blocked: boolean }[] = [
  { name: "job before a wait job is free", facts: {}, job: "early", blocked: false },
  {
    name: "job after a running wait job waits",
    facts: { setup: { state: "running", ready: false, lastExitCode: null } },
    job: "db",
    blocked: true,
  },
  {
    name: "job after a wait job that exited 0 is free",
    facts: { setup: { state: "exited", ready: false, lastExitCode: 0 } },
    job: "db",
    blocked: false,
  },
  {
    name: "failed wait job keeps gating",
    facts: { setup: { state: "fatal", ready: false, lastExitCode: 1 } },
    job: "db",
    blocked: true,
  },
  {
    name: "after a heartbeat job waits for ready",
    facts: {
      setup: { state: "exited", ready: false, lastExitCode: 0 },
      db: { state: "running", ready: false, lastExitCode: null },
    },
    job: "api",
    blocked: true,
  },
  {
    name: "after a ready heartbeat job is free",
    facts: {
      setup: { state: "exited", ready: false, lastExitCode: 0 },
      db: { state: "running", ready: true, lastExitCode: null },
    },
    job: "api",
    blocked: false,
  },
];

for (const row of rows) {
  Deno.test(`gates: ${row.name}`, () => {
    const jobs = [early, setup, db, api];
    const job = jobs.find((j) => j.name === row.job)!;
    const facts = (name: string) =>
      row.facts[name] ?? { state: "stopped", ready: false, lastExitCode: null };
    equal(blockedBy(jobs, job, facts) !== null, row.blocked);
  });
}

Deno.test("gates: after a job without heartbeat needs it running only", () => {
  const web = resolvedJob("web", ["w"]);
  const proxy = resolvedJob("proxy", ["p"], { after: ["web"] });
  const facts = (): GateFacts => ({ state: "running", ready: false, lastExitCode: null });
  equal(blockedBy([web, proxy], proxy, facts), null);
});

Deno.test("planReload finds added, removed and changed jobs by deep comparison", () => {
  const a = resolvedJob("a", ["a"]);
  const b = resolvedJob("b", ["b"], { env: { X: "1" } });
  const c = resolvedJob("c", ["c"]);
  const b2 = resolvedJob("b", ["b"], { env: { X: "2" } });
  const d = resolvedJob("d", ["d"]);
  deepStrictEqual(planReload([a, b, c], [{ ...a }, b2, d]), {
    added: ["d"],
    removed: ["c"],
    changed: ["b"],
  });
  equal(deepEqual({ x: [1, { y: 2 }], z: null }, { z: null, x: [1, { y: 2 }] }), true);
  equal(deepEqual({ x: [1] }, { x: [1, 2] }), false);
});
