import { deepStrictEqual, equal } from "node:assert/strict";
import { type KillContext, killRefusal, planKill } from "./kill_rules.ts";
import { parseProcessFacts, type ProcessFacts } from "./process_facts.ts";

const ctx: KillContext = {
  supPid: 500,
  supPgrp: 500,
  jobs: new Map([[600, "web"]]),
  allowJobs: false,
};

function proc(pid: number, patch: Partial<ProcessFacts> = {}): ProcessFacts {
  return {
    pid,
    ppid: 300,
    pgrp: pid,
    session: pid,
    startTime: 77,
    state: "S",
    flags: 0,
    kernelThread: false,
    uid: 1000,
    euid: 1000,
    ...patch,
  };
}

Deno.test("which pids a sender may name: own processes (root: any), never init, sup, jobs, kernel threads", () => {
  const rows: [number, ProcessFacts | null, number | null, KillContext, string | null][] = [
    [700, proc(700), 1000, ctx, null],
    [700, proc(700, { uid: 0, euid: 0 }), 0, ctx, null],
    [
      700,
      proc(700, { uid: 0, euid: 0 }),
      1000,
      ctx,
      "pid 700 runs as uid 0, not as the sender's uid 1000; only root may register another user's process",
    ],
    [
      700,
      proc(700, { euid: 0 }),
      1000,
      ctx,
      "pid 700 runs as uid 0, not as the sender's uid 1000; only root may register another user's process",
    ],
    [
      700,
      proc(700),
      null,
      ctx,
      "cannot tell which local user sent this registration, so it may not name a pid to kill (only clients on this machine, whose socket is listed in /proc/net, may)",
    ],
    [1, proc(1), 0, ctx, "pid 1 is init; it is never killed"],
    [500, proc(500), 0, ctx, "pid 500 is sup itself"],
    [50, proc(50, { kernelThread: true }), 0, ctx, "pid 50 is a kernel thread"],
    [
      600,
      proc(600),
      0,
      ctx,
      "pid 600 belongs to sup's job \"web\" (set apps.allowJobs in the config to let registrations name jobs' processes)",
    ],
    [
      601,
      proc(601, { pgrp: 600, session: 600 }),
      0,
      ctx,
      "pid 601 belongs to sup's job \"web\" (set apps.allowJobs in the config to let registrations name jobs' processes)",
    ],
    [601, proc(601, { pgrp: 600, session: 600 }), 0, { ...ctx, allowJobs: true }, null],
    [800, null, 0, ctx, "no process 800 is running"],
  ];
  for (const [pid, facts, uid, c, expected] of rows) {
    equal(killRefusal(pid, facts, uid, c), expected, `pid ${pid} for uid ${uid}`);
  }
});

Deno.test("the group is killed only when the process leads it and every member may be killed", () => {
  const none = () => [];
  deepStrictEqual(
    planKill(700, 77, proc(700), 1000, ctx, () => [proc(700), proc(701, { pgrp: 700 })]),
    {
      target: -700,
      note: "killed process group 700",
    },
  );
  equal(planKill(700, 77, proc(700, { pgrp: 650 }), 1000, ctx, none).target, 700);
  const mixed = planKill(
    700,
    77,
    proc(700),
    1000,
    ctx,
    () => [proc(700), proc(702, { pgrp: 700, euid: 0 })],
  );
  equal(mixed.target, 700);
  equal(mixed.note.startsWith("killed pid 700 only: its group holds pid 702"), true);
  deepStrictEqual(planKill(700, 78, proc(700), 1000, ctx, none), {
    target: null,
    note: "pid 700 now belongs to another process; nothing killed",
  });
  equal(
    planKill(700, 77, proc(700, { euid: 0 }), 1000, ctx, none).target,
    null,
    "re-checked before the kill",
  );
  equal(planKill(700, 77, null, 1000, ctx, none).note, "pid 700 is already gone");
});

Deno.test("/proc facts: kernel threads by PF_KTHREAD or kthreadd parent, users from the Uid line", () => {
  const stat = (pid: number, ppid: number, flags: number) =>
    `${pid} (name with) paren) S ${ppid} ${pid} ${pid} 0 -1 ${flags} 0 0 0 0 0 0 0 0 20 0 1 0 4242 0 0`;
  const status = "Name:\tx\nUid:\t1000\t1001\t1000\t1000\nGid:\t5\t5\t5\t5\n";
  const user = parseProcessFacts(stat(900, 1, 0x400000), status)!;
  deepStrictEqual([user.kernelThread, user.uid, user.euid, user.startTime], [
    false,
    1000,
    1001,
    4242,
  ]);
  equal(parseProcessFacts(stat(12, 2, 0x208040), status)!.kernelThread, true);
  equal(parseProcessFacts(stat(12, 0, 0x200000), status)!.kernelThread, true);
  equal(parseProcessFacts(stat(12, 1, 0), "Name:\tx\n"), null);
});
