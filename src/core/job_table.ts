/**
 * The job state machine's table as data: for every state and every input,
 * the states `transition()` may move to. `job_table_test.ts` drives
 * `transition()` through every pair (with every kind of snapshot and input
 * that matters) and checks that the states reached are exactly the ones
 * listed here, and that the table in `job_state.ts`'s module doc is
 * `renderJobTable()`'s output: neither the code nor the doc can drift from
 * this table.
 *
 * @module
 */

import type { JobState } from "./events.ts";
import type { JobInputType } from "./job_state.ts";

/** Every job state, in the order the table shows them. */
export const JOB_STATES: readonly JobState[] = [
  "stopped",
  "starting",
  "running",
  "stopping",
  "backoff",
  "exited",
  "fatal",
];

/** For one input: the states each state may move to (itself when the input can leave it as is). */
export type TableRow = Readonly<Record<JobState, readonly JobState[]>>;

/** A row where the listed states move as given and every other state stays as it is. */
function row(moves: Partial<Record<JobState, readonly JobState[]>>): TableRow {
  return Object.fromEntries(JOB_STATES.map((s) => [s, moves[s] ?? [s]])) as Record<
    JobState,
    readonly JobState[]
  >;
}

/** The cell of every input that spawns the job's process. */
const START = ["starting"] as const;

/**
 * state × input → next states. A state listed in its own cell means the
 * input may leave it there (e.g. the exit of a process that is not the
 * job's current one).
 */
export const JOB_TABLE: Readonly<Record<JobInputType, TableRow>> = {
  start: row({ stopped: START, backoff: START, exited: START, fatal: START }),
  restart: row({
    stopped: START,
    running: ["stopping"],
    backoff: START,
    exited: START,
    fatal: START,
  }),
  stop: row({ starting: ["stopped"], running: ["stopping"], backoff: ["stopped"] }),
  spawned: row({ starting: ["running"] }),
  spawnFailed: row({ starting: ["fatal"] }),
  exited: row({
    running: ["running", "starting", "backoff", "exited", "fatal"],
    stopping: ["stopping", "stopped", "starting"],
  }),
  ready: row({}),
  killTimeout: row({}),
  backoffElapsed: row({ backoff: START }),
  fatalRetryElapsed: row({ fatal: START }),
  startupWindowElapsed: row({}),
  configure: row({}),
  shutdown: row({}),
};

/** Every input type, in the order the table shows them. */
export const JOB_INPUT_TYPES = Object.keys(JOB_TABLE) as JobInputType[];

/**
 * The table as Markdown, one input per row and one state per column; `·`
 * stands for "stays in this state". The module doc of `job_state.ts` holds
 * this text (a test checks it).
 */
export function renderJobTable(): string[] {
  const cell = (from: JobState, to: readonly JobState[]) =>
    to.map((s) => (s === from ? "·" : s)).join(", ");
  const rows = [
    ["input \\ state", ...JOB_STATES],
    ...JOB_INPUT_TYPES.map((input) => [
      input,
      ...JOB_STATES.map((from) => cell(from, JOB_TABLE[input][from])),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [
    line(rows[0]),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...rows.slice(1).map(line),
  ];
}
