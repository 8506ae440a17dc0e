import { parseOptions } from "./context.ts";
import { pm2Ecosystem } from "./pm2_target.ts";
import { parseStamps } from "./stamp.ts";
import { supConfig } from "./sup_target.ts";
import { supervisordConfig } from "./supervisord_target.ts";

function assertEquals(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

function assertThrows(fn: () => unknown, includes: string): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof Error && e.message.includes(includes)) return;
    throw new Error(`threw the wrong error: ${e}`);
  }
  throw new Error("did not throw");
}

Deno.test("stamp lines parse to tag, pid and ms; a partial last line is ignored", () => {
  const stamps = parseStamps("victim 41 1500000000\nvictim 42 2500000500\nvictim 43 99");
  assertEquals(stamps.length, 2);
  assertEquals(stamps[1], { tag: "victim", pid: 42, ms: 2500.0005 });
  assertEquals(parseStamps("victim 44 12\n").length, 1);
  assertEquals(parseStamps("victim 44 \n\n").length, 0);
});

Deno.test("--quick shortens the run and unknown options are refused", () => {
  const quick = parseOptions(["--quick"]);
  assertEquals([quick.trials, quick.idleSeconds, quick.scaleRuns], [15, 10, 2]);
  const full = parseOptions([]);
  assertEquals([full.trials, full.idleSeconds, full.scaleRuns], [40, 60, 5]);
  assertEquals(parseOptions(["--only=restart,log", "--trials=50"]).only, ["restart", "log"]);
  assertThrows(() => parseOptions(["--fast"]), '"--fast"');
  assertThrows(() => parseOptions(["--targets=runit"]), '"runit"');
  assertThrows(() => parseOptions(["--trials=-3"]), '"-3"');
});

Deno.test("sup config restarts at once after minUptime and discards output unless captured", () => {
  const config = supConfig([
    { name: "a", cmd: ["/bin/stamp", "f", "a"], minUptimeMs: 200 },
    { name: "w", cmd: ["sh", "-c", "x"], stdoutFile: "/tmp/o", once: true },
  ]) as { jobs: Record<string, Record<string, unknown>> };
  assertEquals(config.jobs.a, {
    cmd: ["/bin/stamp", "f", "a"],
    stdout: false,
    stderr: false,
    minUptime: "200ms",
    restart: "always",
  });
  assertEquals(config.jobs.w.stdout, { file: "/tmp/o", maxSize: "8GB", daily: false });
  assertEquals(config.jobs.w.once, true);
});

Deno.test("supervisord command lines quote words with spaces or quotes", () => {
  const conf = supervisordConfig("/d", [{ name: "w", cmd: ["sh", "-c", "echo 'hi' there"] }]);
  const line = conf.split("\n").find((l) => l.startsWith("command="));
  assertEquals(line, `command=sh -c 'echo '"'"'hi'"'"' there'`);
  const split = new Deno.Command("python3", {
    args: ["-c", "import shlex,sys; print(shlex.split(sys.argv[1]))", line!.slice(8)],
  }).outputSync();
  if (split.success) {
    assertEquals(new TextDecoder().decode(split.stdout).trim(), `['sh', '-c', "echo 'hi' there"]`);
  }
  for (const key of ["startsecs=0", "autorestart=true", "killasgroup=true"]) {
    if (!conf.includes(key)) throw new Error(`missing ${key}`);
  }
});

Deno.test("PM2 apps run the binary without an interpreter, restart_delay 0, no backoff", () => {
  const eco = pm2Ecosystem([{ name: "a", cmd: ["/bin/stamp", "f", "a"], minUptimeMs: 200 }]) as {
    apps: Record<string, unknown>[];
  };
  const app = eco.apps[0];
  assertEquals(
    [app.script, app.args, app.interpreter, app.restart_delay, app.min_uptime, app.autorestart],
    ["/bin/stamp", ["f", "a"], "none", 0, 200, true],
  );
  assertEquals("exp_backoff_restart_delay" in app, false);
});
