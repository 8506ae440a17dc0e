import { deepStrictEqual } from "node:assert/strict";
import { MemoryTrimmer, type TrimOs } from "./memory_trim.ts";

interface FakeOs extends TrimOs {
  level: number;
  freeable: number;
  trims: number;
}

/** An OS whose anonymous memory is `level`; a trim gives back `freeable`. */
function fakeOs(level: number, freeable: number): FakeOs {
  const os: FakeOs = {
    level,
    freeable,
    trims: 0,
    anonKb: () => os.level,
    trim: () => {
      os.trims++;
      os.level -= os.freeable;
      os.freeable = 0;
    },
  };
  return os;
}

Deno.test("the trimmer gives back what a burst left, once it is above the slack", () => {
  const os = fakeOs(20_000, 0);
  const trimmer = new MemoryTrimmer({ os, intervalMs: 1e9, slackKb: 2048 });
  trimmer.check(); // 20 MB: the low mark
  os.level = 21_000;
  trimmer.check(); // within the slack: nothing
  deepStrictEqual(os.trims, 0);
  os.level = 30_000;
  os.freeable = 9_000;
  trimmer.check();
  deepStrictEqual([os.trims, os.level], [1, 21_000]);
  trimmer.check();
  trimmer.close();
  deepStrictEqual(os.trims, 1);
});

Deno.test("memory in use is not trimmed every look: a fruitless trim waits the idle gap", () => {
  const os = fakeOs(20_000, 0);
  let now = 0;
  const trimmer = new MemoryTrimmer({
    os,
    intervalMs: 1e9,
    slackKb: 2048,
    idleGapMs: 60_000,
    now: () => now,
  });
  trimmer.check();
  os.level = 40_000; // a flood going on: in use
  for (; now < 50_000; now += 5_000) trimmer.check();
  deepStrictEqual(os.trims, 1);
  os.freeable = 15_000; // the flood is over
  for (; now <= 60_000; now += 5_000) trimmer.check();
  trimmer.close();
  deepStrictEqual([os.trims, os.level], [2, 25_000]);
});

Deno.test("the trimmer leaves a quiet sup alone", () => {
  const os = fakeOs(20_000, 0);
  const trimmer = new MemoryTrimmer({ os, intervalMs: 1e9 });
  for (let i = 0; i < 10; i++) trimmer.check();
  trimmer.close();
  deepStrictEqual(os.trims, 0);
});

Deno.test("glibc's malloc_trim is callable here (the real OS side)", () => {
  const trimmer = new MemoryTrimmer({ intervalMs: 1e9, slackKb: -1 });
  trimmer.check(); // above a negative slack: trims for real
  trimmer.close();
  deepStrictEqual(trimmer.trims >= 1, Deno.build.os === "linux");
});
