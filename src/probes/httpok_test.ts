import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { ResolvedHttpok } from "../config/listener_httpok.ts";
import type { JobStatus } from "../core/api.ts";
import { FakeClock } from "../testing/fake_clock.ts";
import { jobStatus } from "../testing/recording_api.ts";
import type { CoreDump } from "./gcore.ts";
import type { ProbeResult } from "./health_http.ts";
import { Httpok, type HttpokContext } from "./httpok.ts";

const OPTIONS: ResolvedHttpok = {
  url: "http://127.0.0.1:9/",
  jobs: ["web", "api"],
  timeoutMs: 500,
  status: [200],
  body: null,
  headers: {},
  eager: true,
  coreDir: null,
  gcore: ["gcore", "-o"],
  notify: true,
  intervalMs: 1000,
};

function setup(options: Partial<ResolvedHttpok> = {}, name = "httpok") {
  const clock = new FakeClock();
  const statuses: JobStatus[] = [
    jobStatus("web", { state: "running", pid: 100 }),
    jobStatus("api", { state: "backoff" }),
    jobStatus("db", { state: "running", pid: 300 }),
  ];
  const restarts: [string, string | undefined][] = [];
  const notes: { subject: string; body: string }[] = [];
  const logs: string[] = [];
  const ctx: HttpokContext = {
    name,
    restart: (job, detail) => void restarts.push([job, detail]),
    status: () => statuses,
    jobs: (selectors) =>
      statuses.map((s) => s.name).filter((n) => selectors.includes(n) || selectors.includes("*")),
    notify: (subject, body) => {
      notes.push({ subject, body });
      return Promise.resolve([]);
    },
    log: { debug: () => {}, info: (m) => logs.push(m), warn: (m) => logs.push(m) },
  };
  const answers: (ProbeResult | "hang")[] = [];
  const gets: number[] = [];
  const dumps: [string, number][] = [];
  const httpok = new Httpok({ ...OPTIONS, ...options }, ctx, {
    clock,
    probe: (_probe, signal) => {
      gets.push(clock.now());
      const answer = answers.shift() ?? { ok: true };
      if (answer !== "hang") return Promise.resolve(answer);
      return new Promise((resolve) =>
        signal.addEventListener(
          "abort",
          () => resolve({ ok: false, reason: (signal.reason as Error).message }),
        )
      );
    },
    dumpCore: (_gcore, dir, job, pid): Promise<CoreDump> => {
      dumps.push([job, pid]);
      return Promise.resolve({
        file: `${dir}/${job}.${pid}`,
        ok: true,
        output: "Saved corefile",
        ms: 1,
      });
    },
  });
  const pass = async (ms: number) => {
    for (let t = 0; t < ms; t += 10) {
      clock.advance(10);
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
  };
  return { clock, statuses, restarts, notes, logs, answers, gets, dumps, httpok, pass };
}

Deno.test("httpok GETs every interval and does nothing while the answer is right", async () => {
  const t = setup();
  t.httpok.start();
  await t.pass(3500);
  deepStrictEqual(t.gets.map((at) => at - 1_000_000), [1000, 2000, 3000]);
  deepStrictEqual(t.restarts, []);
  deepStrictEqual(t.notes, []);
  await t.httpok.close();
  equal(t.clock.pending, 0);
});

Deno.test("a wrong answer restarts the selected running jobs only, and notifies what it did", async () => {
  const t = setup();
  t.answers.push({ ok: false, reason: "status 500 (expected 200)" });
  const round = await t.httpok.round();
  deepStrictEqual(round.restarted, ["web"]);
  deepStrictEqual(t.restarts, [["web", "GET http://127.0.0.1:9/: status 500 (expected 200)"]]);
  equal(t.notes.length, 1);
  equal(t.notes[0].subject, "httpok: http://127.0.0.1:9/: status 500 (expected 200)");
  ok(t.notes[0].body.includes('Job "web" (pid 100) was running: restarted'), t.notes[0].body);
  ok(t.notes[0].body.includes('Job "api" is backoff: not restarted'), t.notes[0].body);
});

Deno.test("a hung GET fails at the timeout; the next GET waits for the round to end", async () => {
  const t = setup({ timeoutMs: 500, intervalMs: 1000 });
  t.answers.push("hang");
  t.httpok.start();
  await t.pass(1400);
  equal(t.restarts.length, 0);
  await t.pass(200);
  deepStrictEqual(t.restarts, [
    ["web", "GET http://127.0.0.1:9/: timeout after 500ms"],
  ]);
  await t.pass(1000);
  deepStrictEqual(t.gets.map((at) => at - 1_000_000), [1000, 2000]);
  await t.httpok.close();
});

Deno.test("with coreDir, each hung job's core is dumped before its restart and gcore's output is in the notification", async () => {
  const t = setup({ coreDir: "/var/crash/sup", jobs: ["*"] }, "shop");
  t.answers.push({ ok: false, reason: "connection refused" });
  const round = await t.httpok.round();
  deepStrictEqual(t.dumps, [["web", 100], ["db", 300]]);
  deepStrictEqual(round.restarted, ["web", "db"]);
  equal(t.notes[0].subject, "httpok [shop]: http://127.0.0.1:9/: connection refused");
  ok(t.notes[0].body.includes("core written to /var/crash/sup/web.100"), t.notes[0].body);
  ok(t.notes[0].body.includes("Saved corefile"), t.notes[0].body);
});

Deno.test("not eager: no GET while none of the selected jobs runs", async () => {
  const t = setup({ eager: false, jobs: ["api"] });
  const round = await t.httpok.round();
  equal(round.result, null);
  deepStrictEqual(t.gets, []);
  const eager = setup({ eager: true, jobs: ["api"] });
  eager.answers.push({ ok: false, reason: "connection refused" });
  await eager.httpok.round();
  equal(eager.gets.length, 1);
  deepStrictEqual(eager.restarts, []);
  equal(eager.notes.length, 1, "eager: the failure is still notified");
});

Deno.test("a job whose process has run less than one interval is left alone", async () => {
  const t = setup({ intervalMs: 1000 });
  t.statuses[0] = jobStatus("web", { state: "running", pid: 101, startedAt: t.clock.now() - 400 });
  t.answers.push({ ok: false, reason: "connection refused" }, {
    ok: false,
    reason: "connection refused",
  });
  await t.httpok.round();
  equal(t.restarts.length, 0);
  ok(
    t.notes[0].body.includes('Job "web" (pid 101) started 400ms ago: not restarted'),
    t.notes[0].body,
  );
  t.clock.advance(600);
  await t.httpok.round();
  deepStrictEqual(t.restarts.map(([job]) => job), ["web"]);
});

Deno.test("notify: false restarts without a notification", async () => {
  const t = setup({ notify: false });
  t.answers.push({ ok: false, reason: 'body does not contain "ok"' });
  await t.httpok.round();
  equal(t.restarts.length, 1);
  deepStrictEqual(t.notes, []);
});
