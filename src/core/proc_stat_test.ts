import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { parseProcStat, readProcStat } from "./proc_stat.ts";

Deno.test("parseProcStat reads group, session and start time, even with ') ' in the name", () => {
  const text =
    "7758 (my (odd) name) S 7752 7758 7758 0 -1 4194560 102 0 0 0 0 0 0 0 20 0 1 0 22691 " +
    "2654208 366 18446744073709551615";
  deepStrictEqual(parseProcStat(text), {
    pid: 7758,
    state: "S",
    ppid: 7752,
    pgrp: 7758,
    session: 7758,
    startTime: 22691,
    flags: 4194560,
  });
  equal(parseProcStat("garbage"), null);
});

Deno.test("readProcStat sees this process and not a missing one", () => {
  const me = readProcStat(Deno.pid);
  ok(me && me.pid === Deno.pid && me.startTime > 0);
  equal(readProcStat(2 ** 22 + 12345), null);
});
