/**
 * The guardian's process logic with a stand-in for sup (a shell script that
 * writes its pid file, talks on stdout and stderr, and dies or stops as the
 * test says): restarts with the stderr tail logged, gives up on a sup that
 * never came up, ends when sup exits 0.
 */

import { equal, match, ok } from "node:assert/strict";
import { Guardian } from "../src/control/guardian.ts";
import { until } from "../src/testing/wait.ts";

interface Fake {
  dir: string;
  guardian: Guardian;
  log: string;
  pidFile: string;
  runs: () => number;
}

/** A guardian over `script` (run by sh with $PIDFILE and $RUNS set). */
async function fake(script: string): Promise<Fake> {
  const dir = await Deno.makeTempDir({ prefix: "sup-guardian-" });
  const pidFile = `${dir}/sup.pid`;
  const runsFile = `${dir}/runs`;
  const guardian = new Guardian({
    command: ["/bin/sh", "-c", `echo run >> ${runsFile}; ${script}`],
    env: { PIDFILE: pidFile, RUNS: runsFile },
    log: `${dir}/sup.log`,
    limits: { maxBytes: 0, maxFiles: 0 },
    pidFile,
    guardianPidFile: `${dir}/guardian.pid`,
    backoffInitialMs: 50,
  });
  const runs = () => {
    try {
      return Deno.readTextFileSync(runsFile).split("\n").filter((l) => l).length;
    } catch {
      return 0;
    }
  };
  return { dir, guardian, log: `${dir}/sup.log`, pidFile, runs };
}

Deno.test("the guardian starts a dead sup again and logs why it died (code, uptime, stderr tail)", async () => {
  // First run: up, then dies with a message on stderr; later runs: up until SIGTERM, then exit 0.
  const f = await fake(
    `trap 'echo bye; exit 0' TERM; echo $$ > $PIDFILE; echo "sup is up"; ` +
      `if [ "$(wc -l < $RUNS)" -eq 1 ]; then sleep 0.3; echo "panic: out of cheese" >&2; exit 3; fi; ` +
      `while true; do sleep 0.05; done`,
  );
  try {
    const done = f.guardian.run();
    await until(() => f.runs() === 2, "a second run after the first died", 10_000);
    await until(
      () => Deno.readTextFileSync(f.log).split("is up").length >= 3,
      "the second run is up",
    );
    f.guardian.stop();
    equal(await done, 0);
    const log = await Deno.readTextFile(f.log);
    match(
      log,
      /\[WRN\] sup·guardian: sup \d+ exited with code 3 after 0\.\d+s; starting it again in 0\.1s/,
    );
    match(log, /its last lines on stderr:\n {4}panic: out of cheese\n/);
    match(log, /^sup is up$/m); // sup's own output is copied into the log
    match(log, /stopped on purpose \(exit code 0\): the guardian ends/);
    equal(f.runs(), 2);
    ok(!(await exists(`${f.dir}/guardian.pid`)), "the guardian removed its pid file");
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("the guardian gives up on a sup that dies before it was ever up", async () => {
  const f = await fake(`echo 'Invalid config "x.ts": 1 problem' >&2; exit 1`);
  try {
    equal(await f.guardian.run(), 1);
    equal(f.runs(), 1);
    match(
      await Deno.readTextFile(f.log),
      /exited with code 1 before it was up: giving up\n.*\n {4}Invalid config "x.ts": 1 problem/,
    );
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

Deno.test("the guardian ends with sup when sup exits 0 on its own (sup shutdown)", async () => {
  const f = await fake(`echo $$ > $PIDFILE; sleep 0.3; exit 0`);
  try {
    equal(await f.guardian.run(), 0);
    equal(f.runs(), 1);
  } finally {
    await Deno.remove(f.dir, { recursive: true });
  }
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
