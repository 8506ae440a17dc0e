import { deepStrictEqual, equal, ok } from "node:assert/strict";
import type { JobState } from "./events.ts";
import {
  initialSnapshot,
  type JobInput,
  type JobInputType,
  type JobPhase,
  type JobPolicy,
  type JobSnapshot,
  transition,
} from "./job_state.ts";
import { JOB_INPUT_TYPES, JOB_STATES, JOB_TABLE, renderJobTable } from "./job_table.ts";

const base: JobPolicy = {
  restart: "always",
  noRestartExitCodes: [33],
  minUptimeMs: 1_000,
  backoffInitialMs: 100,
  backoffMaxMs: 500,
  maxRetries: 3,
  retryFatalAfterMs: 60_000,
  killSignal: "SIGTERM",
  killTimeoutMs: 2_000,
  once: false,
};

/** Every policy that changes where an input leads. */
const POLICIES: JobPolicy[] = [
  base,
  { ...base, restart: "never" },
  { ...base, restart: "on-failure" },
  { ...base, once: true },
];

/** The job's process in the samples below. */
const PID = 10;

/** Every kind of per-state data that changes where an input leads. */
const PHASES: Record<JobState, JobPhase[]> = {
  stopped: [{ state: "stopped" }],
  starting: [{ state: "starting" }],
  running: [
    { state: "running", pid: PID, startedAt: 0, ready: false },
    { state: "running", pid: PID, startedAt: 0, ready: true },
  ],
  stopping: [
    { state: "stopping", pid: PID, startedAt: 0, then: "stop", killed: false },
    { state: "stopping", pid: PID, startedAt: 0, then: "restart", killed: true },
  ],
  backoff: [{ state: "backoff", delayMs: 100 }],
  exited: [{ state: "exited", code: 1, signal: null }],
  fatal: [{ state: "fatal", message: "gone" }],
};

const manual = { source: "manual" } as const;
const exit = (pid: number, code: number | null, signal: string | null = null): JobInput => ({
  type: "exited",
  pid,
  code,
  signal,
  stderrTail: [],
});

/** Every kind of input that changes where it leads, by type. */
const INPUTS: Record<JobInputType, JobInput[]> = {
  start: [{ type: "start", reason: manual }],
  restart: [{ type: "restart", reason: manual }],
  stop: [{ type: "stop", reason: manual }],
  spawned: [{ type: "spawned", pid: 11, argv: ["x"] }],
  spawnFailed: [{ type: "spawnFailed", message: "no" }],
  exited: [
    exit(PID, 0),
    exit(PID, 1),
    exit(PID, 33),
    exit(PID, null, "SIGKILL"),
    { ...exit(PID, 126), execFailed: 'Cannot start job "api": no' } as JobInput,
    exit(99, 1), // not the job's process
  ],
  ready: [{ type: "ready", by: "heartbeat" }, { type: "ready", by: "spawn" }],
  killTimeout: [{ type: "killTimeout" }],
  backoffElapsed: [{ type: "backoffElapsed" }],
  fatalRetryElapsed: [{ type: "fatalRetryElapsed" }],
  startupWindowElapsed: [{ type: "startupWindowElapsed" }],
  configure: [{ type: "configure", policy: { ...base, restart: "never" } }],
  shutdown: [{ type: "shutdown" }],
};

/** Every snapshot of `state` worth trying: each phase × policy × quick deaths × shutdown flag. */
function snapshots(state: JobState, shuttingDown: boolean): JobSnapshot[] {
  return PHASES[state].flatMap((phase) =>
    POLICIES.flatMap((policy) =>
      [0, policy.maxRetries - 1].map((retries) => ({
        ...initialSnapshot("api", policy),
        phase,
        retries,
        spawns: 1,
        shuttingDown,
      }))
    )
  );
}

/** The states `input` (of `type`) leads `state` to, over every sample, with checks on each move. */
function reached(state: JobState, type: JobInputType, shuttingDown: boolean): Set<JobState> {
  const seen = new Set<JobState>();
  for (const snap of snapshots(state, shuttingDown)) {
    for (const input of INPUTS[type]) {
      // A run that lived past minUptime, and one that died quickly.
      for (const now of [50, 5_000]) {
        const { snapshot, effects } = transition(snap, input, now);
        const to = snapshot.phase.state;
        seen.add(to);
        const what = `${state} × ${JSON.stringify(input)} at ${now} → ${to}`;
        // Every move to starting spawns; nothing else does.
        equal(
          effects.some((e) => e.type === "spawn"),
          to === "starting" && state !== "starting",
          what,
        );
        // A state change is announced exactly when it happens.
        const changes = effects.filter((e) => e.type === "emit" && e.event.type === "job.state");
        equal(changes.length, to === state ? 0 : 1, what);
        if (shuttingDown) ok(to !== "starting" || state === "starting", `after shutdown: ${what}`);
        equal(snapshot.shuttingDown, shuttingDown || type === "shutdown", what);
      }
    }
  }
  return seen;
}

Deno.test("the table lists every state and every input", () => {
  deepStrictEqual(Object.keys(INPUTS).sort(), [...JOB_INPUT_TYPES].sort());
  for (const type of JOB_INPUT_TYPES) {
    deepStrictEqual(Object.keys(JOB_TABLE[type]), [...JOB_STATES]);
  }
});

for (const state of JOB_STATES) {
  Deno.test(`transition from ${state} reaches exactly the table's states for every input`, () => {
    for (const type of JOB_INPUT_TYPES) {
      const got = [...reached(state, type, false)].sort();
      deepStrictEqual(got, [...JOB_TABLE[type][state]].sort(), `${state} × ${type}`);
    }
  });

  Deno.test(`after shutdown, no input moves ${state} to starting; every move is in the table`, () => {
    for (const type of JOB_INPUT_TYPES) {
      for (const to of reached(state, type, true)) {
        const listed = to === state || JOB_TABLE[type][state].includes(to);
        ok(listed, `${state} × ${type} → ${to} after shutdown`);
      }
    }
  });
}

Deno.test("the table in job_state.ts's module doc is the table the tests walk", async () => {
  const source = await Deno.readTextFile(new URL("./job_state.ts", import.meta.url));
  const doc = source.split("\n").filter((l) => l.startsWith(" * |")).map((l) => l.slice(3));
  deepStrictEqual(doc, renderJobTable());
});

Deno.test("configure takes the new policy and resets quick deaths, in any state", () => {
  const policy = { ...base, restart: "never" as const, killSignal: "SIGINT" as const };
  for (const state of JOB_STATES) {
    for (const snap of snapshots(state, false)) {
      const { snapshot, effects } = transition(snap, { type: "configure", policy }, 1);
      deepStrictEqual(snapshot.policy, policy);
      equal(snapshot.retries, 0);
      deepStrictEqual(snapshot.phase, snap.phase);
      deepStrictEqual(effects, []);
    }
  }
});

Deno.test("after shutdown a crash is final and a restart asked for while stopping is dropped", () => {
  const running = snapshots("running", true)[0];
  equal(running.policy.restart, "always");
  equal(transition(running, exit(PID, 1), 5_000).snapshot.phase.state, "exited");
  const stopping = snapshots("stopping", true).find((s) =>
    s.phase.state === "stopping" && s.phase.then === "restart"
  )!;
  equal(transition(stopping, exit(PID, 0), 5_000).snapshot.phase.state, "stopped");
});
