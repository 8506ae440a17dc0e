import { deepStrictEqual, equal, ok } from "node:assert/strict";
import {
  backoffDelay,
  initialSnapshot,
  type JobEffect,
  type JobInput,
  type JobPolicy,
  type JobSnapshot,
  transition,
} from "./job_state.ts";
import type { SupEvent } from "./events.ts";

const policy: JobPolicy = {
  restart: "always",
  noRestartExitCodes: [33],
  minUptimeMs: 1_000,
  backoffInitialMs: 100,
  backoffMaxMs: 500,
  maxRetries: 4,
  retryFatalAfterMs: null,
  killSignal: "SIGTERM",
  killTimeoutMs: 2_000,
  once: false,
};
const manual = { source: "manual" } as const;

/** Feeds `steps` ([ms after start, input]) to a fresh job; returns the snapshot and all effects. */
function drive(
  steps: [number, JobInput][],
  overrides: Partial<JobPolicy> = {},
): { snap: JobSnapshot; effects: JobEffect[]; events: SupEvent[] } {
  let snap = initialSnapshot("api", { ...policy, ...overrides });
  const effects: JobEffect[] = [];
  for (const [now, input] of steps) {
    const r = transition(snap, input, now);
    snap = r.snapshot;
    effects.push(...r.effects);
  }
  const events = effects.flatMap((e) => e.type === "emit" ? [e.event] : []);
  return { snap, effects, events };
}

const start: [number, JobInput] = [0, { type: "start", reason: manual }];
const spawned = (at: number, pid: number): [number, JobInput] => [at, {
  type: "spawned",
  pid,
  argv: ["x"],
}];
const exited = (at: number, pid: number, code: number | null, signal: string | null = null): [
  number,
  JobInput,
] => [at, { type: "exited", pid, code, signal, stderrTail: [] }];

const table: {
  name: string;
  steps: [number, JobInput][];
  policy?: Partial<JobPolicy>;
  state: string;
  retries?: number;
}[] = [
  { name: "start spawns", steps: [start], state: "starting" },
  { name: "spawned runs", steps: [start, spawned(1, 10)], state: "running" },
  {
    name: "spawn failure is fatal at once",
    steps: [start, [1, { type: "spawnFailed", message: "no" }]],
    state: "fatal",
  },
  {
    name: "crash after minUptime restarts at once",
    steps: [start, spawned(1, 10), exited(5_000, 10, 1)],
    state: "starting",
    retries: 0,
  },
  {
    name: "quick crash backs off",
    steps: [start, spawned(1, 10), exited(50, 10, 1)],
    state: "backoff",
    retries: 1,
  },
  {
    name: "exit 33 is not restarted",
    steps: [start, spawned(1, 10), exited(5_000, 10, 33)],
    state: "exited",
  },
  {
    name: "on-failure does not restart exit 0",
    steps: [start, spawned(1, 10), exited(5_000, 10, 0)],
    policy: { restart: "on-failure" },
    state: "exited",
  },
  {
    name: "on-failure restarts a signal death",
    steps: [start, spawned(1, 10), exited(5_000, 10, null, "SIGKILL")],
    policy: { restart: "on-failure" },
    state: "starting",
  },
  {
    name: "never does not restart a crash",
    steps: [start, spawned(1, 10), exited(5_000, 10, 1)],
    policy: { restart: "never" },
    state: "exited",
  },
  {
    name: "once job exiting 0 is done",
    steps: [start, spawned(1, 10), exited(5_000, 10, 0)],
    policy: { once: true },
    state: "exited",
  },
  {
    name: "failing once job backs off like on-failure",
    steps: [start, spawned(1, 10), exited(50, 10, 2)],
    policy: { once: true },
    state: "backoff",
  },
  {
    name: "failing once job after minUptime restarts at once",
    steps: [start, spawned(1, 10), exited(5_000, 10, 2)],
    policy: { once: true },
    state: "starting",
  },
  {
    name: "failing once job with restart never stays exited",
    steps: [start, spawned(1, 10), exited(50, 10, 2)],
    policy: { once: true, restart: "never" },
    state: "exited",
  },
  {
    name: "exit of an old pid is ignored",
    steps: [start, spawned(1, 10), exited(50, 99, 1)],
    state: "running",
  },
  {
    name: "stop signals and waits",
    steps: [start, spawned(1, 10), [5, { type: "stop", reason: manual }]],
    state: "stopping",
  },
  {
    name: "stopped job's exit is expected and final",
    steps: [
      start,
      spawned(1, 10),
      [5, { type: "stop", reason: manual }],
      exited(6, 10, null, "SIGTERM"),
    ],
    state: "stopped",
  },
  {
    name: "restart stops then spawns",
    steps: [start, spawned(1, 10), [5, { type: "restart", reason: manual }], exited(6, 10, 0)],
    state: "starting",
  },
  {
    name: "start while stopping restarts after the exit",
    steps: [
      start,
      spawned(1, 10),
      [5, { type: "stop", reason: manual }],
      [6, { type: "start", reason: manual }],
      exited(7, 10, 0),
    ],
    state: "starting",
  },
  {
    name: "stop during backoff stops",
    steps: [start, spawned(1, 10), exited(50, 10, 1), [60, { type: "stop", reason: manual }]],
    state: "stopped",
  },
  {
    name: "backoff elapsed spawns",
    steps: [start, spawned(1, 10), exited(50, 10, 1), [150, { type: "backoffElapsed" }]],
    state: "starting",
    retries: 1,
  },
  {
    name: "startup window resets retries",
    steps: [
      start,
      spawned(1, 10),
      exited(50, 10, 1),
      [150, { type: "backoffElapsed" }],
      spawned(151, 11),
      [1_151, { type: "startupWindowElapsed" }],
    ],
    state: "running",
    retries: 0,
  },
  {
    name: "stale timers are ignored",
    steps: [start, spawned(1, 10), [2, { type: "backoffElapsed" }], [3, { type: "killTimeout" }]],
    state: "running",
  },
];

for (const row of table) {
  Deno.test(`transition: ${row.name}`, () => {
    const { snap, events } = drive(row.steps, row.policy);
    equal(snap.phase.state, row.state);
    if (row.retries !== undefined) equal(snap.retries, row.retries);
    // Every state change is announced, and the announced states chain.
    const changes = events.flatMap((e) => e.type === "job.state" ? [e] : []);
    for (let i = 1; i < changes.length; i++) equal(changes[i].from, changes[i - 1].to);
    equal(changes.at(-1)?.to ?? "stopped", row.state);
  });
}

Deno.test("quick deaths back off doubling to the cap, then go fatal after maxRetries", () => {
  const steps: [number, JobInput][] = [start];
  let t = 0;
  for (let pid = 1; pid <= 4; pid++) {
    steps.push(spawned(t += 1, pid), exited(t += 10, pid, 1), [t += 1, { type: "backoffElapsed" }]);
  }
  const { snap, events } = drive(steps.slice(0, -1));
  deepStrictEqual(
    events.flatMap((e) => e.type === "job.backoff" ? [e.delayMs] : []),
    [100, 200, 400],
  );
  equal(snap.phase.state, "fatal");
  const fatal = events.find((e) => e.type === "job.fatal");
  ok(fatal && fatal.type === "job.fatal" && fatal.message.includes("4 times in a row"));
  deepStrictEqual([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n)), [
    100,
    200,
    400,
    500,
    500,
    500,
  ]);
});

Deno.test("fatal is left by a manual start with retries reset", () => {
  const r = drive([start, [1, { type: "spawnFailed", message: "gone" }], [2, {
    type: "start",
    reason: manual,
  }]]);
  equal(r.snap.phase.state, "starting");
  equal(r.snap.retries, 0);
});

Deno.test("fatal arms the retry timer when retryFatalAfterMs is set, and retries on it", () => {
  const r = drive([start, [1, { type: "spawnFailed", message: "gone" }]], {
    retryFatalAfterMs: 30_000,
  });
  ok(r.effects.some((e) => e.type === "setTimer" && e.timer === "fatalRetry" && e.ms === 30_000));
  const next = transition(r.snap, { type: "fatalRetryElapsed" }, 30_001);
  equal(next.snapshot.phase.state, "starting");
  equal(next.snapshot.lastReason?.source, "retry");
  ok(next.effects.some((e) => e.type === "spawn"));
});

Deno.test("stop sends killSignal to the group, arms the kill timer, SIGKILLs on timeout", () => {
  const r = drive([start, spawned(1, 42), [5, { type: "stop", reason: manual }]], {
    killSignal: "SIGINT",
  });
  ok(r.effects.some((e) => e.type === "signalGroup" && e.pid === 42 && e.signal === "SIGINT"));
  ok(r.effects.some((e) => e.type === "setTimer" && e.timer === "kill" && e.ms === 2_000));
  const k = transition(r.snap, { type: "killTimeout" }, 2_005);
  deepStrictEqual(k.effects, [{ type: "signalGroup", pid: 42, signal: "SIGKILL" }]);
});

Deno.test("job.exited carries uptime, expectation and the stderr tail", () => {
  const r = drive([start, spawned(100, 7), [350, {
    type: "exited",
    pid: 7,
    code: 3,
    signal: null,
    stderrTail: ["boom"],
  }]]);
  const e = r.events.find((e) => e.type === "job.exited");
  ok(e && e.type === "job.exited");
  equal(e.uptimeMs, 250);
  equal(e.expected, false);
  deepStrictEqual(e.stderrTail, ["boom"]);
  const clean = drive([start, spawned(1, 7), exited(9, 7, 0)], { once: true });
  const c = clean.events.find((e) => e.type === "job.exited");
  ok(c && c.type === "job.exited" && c.expected);
});

Deno.test("a job that ends cleanly and is not restarted says it finished, not crash", () => {
  const cases: [string, Partial<JobPolicy>, number, string][] = [
    ["wait/once job exiting 0", { once: true }, 0, "finished"],
    ["on-failure job exiting 0", { restart: "on-failure" }, 0, "finished"],
    ["never-restarted job exiting 0", { restart: "never" }, 0, "finished"],
    ["once job exiting 33", { once: true }, 33, "crash"],
    ["never-restarted job exiting 1", { restart: "never" }, 1, "crash"],
  ];
  for (const [name, overrides, code, source] of cases) {
    const r = drive([start, spawned(1, 7), exited(5_000, 7, code)], overrides);
    equal(r.snap.phase.state, "exited", name);
    equal(r.snap.lastReason?.source, source, name);
    const state = r.events.findLast((e) => e.type === "job.state");
    ok(state?.type === "job.state" && state.reason.source === source, name);
    if (source === "finished") {
      equal(r.snap.lastReason?.detail, "job finished (exited with code 0)");
    }
  }
});

Deno.test("ready is announced once per spawn, saying what made the job ready", () => {
  const r = drive([start, spawned(1, 7), [2, { type: "ready", by: "heartbeat" }], [3, {
    type: "ready",
    by: "spawn",
  }]]);
  const ready = r.events.filter((e) => e.type === "job.ready");
  equal(ready.length, 1);
  equal(ready[0].type === "job.ready" && ready[0].by, "heartbeat");
  equal(r.snap.phase.state === "running" && r.snap.phase.ready, true);
});

Deno.test("a process spawned after a stop is killed", () => {
  const r = drive([start, [1, { type: "stop", reason: manual }], spawned(2, 9)]);
  equal(r.snap.phase.state, "stopped");
  ok(r.effects.some((e) => e.type === "signalGroup" && e.pid === 9 && e.signal === "SIGKILL"));
});

Deno.test("restarts count every spawn after the first", () => {
  const r = drive([
    start,
    spawned(1, 1),
    exited(5_000, 1, 1),
    spawned(5_001, 2),
    exited(9_000, 2, 1),
  ]);
  equal(r.snap.restarts, 2);
  equal(r.snap.spawns, 3);
});

Deno.test("a wrapper that could not exec the command makes the job fatal at once, not a retry", () => {
  const message = 'Cannot start job "api": command "/x" cannot be executed (Permission denied)';
  const r = drive([
    start,
    spawned(1, 1),
    [3, { type: "exited", pid: 1, code: 126, signal: null, stderrTail: [], execFailed: message }],
  ], { maxRetries: 10 });
  equal(r.snap.phase.state, "fatal");
  equal(r.snap.retries, 0);
  ok(r.events.some((e) => e.type === "job.spawnFailed" && e.message === message));
  ok(!r.events.some((e) => e.type === "job.backoff"));
});

Deno.test("job.state reports the exit and uptime of the run that ended", () => {
  const r = drive([start, spawned(10, 1), exited(60, 1, 3), [70, {
    type: "stop",
    reason: manual,
  }]]);
  const states = r.events.flatMap((e) => e.type === "job.state" ? [e] : []);
  const backoff = states.find((e) => e.to === "backoff")!;
  deepStrictEqual([backoff.code, backoff.signal, backoff.uptimeMs, backoff.pid], [
    3,
    null,
    50,
    null,
  ]);
  const first = states[0];
  deepStrictEqual([first.code, first.signal, first.uptimeMs], [null, null, null]);
  const running = states.find((e) => e.to === "running")!;
  equal(running.pid, 1);
});
