/**
 * The supervisor with real processes, on what must never hurt sup: jobs
 * whose output file cannot be opened, that close their output, that fork
 * and exit; and on what every observer relies on: `job.state` facts, the
 * output ring and LogTape, helpers that follow their job.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { Supervisor } from "../src/core/supervisor.ts";
import { resolvedConfig, resolvedJob } from "../src/testing/resolved_job.ts";
import { alive, EventLog, until } from "./support/event_log.ts";
import { withSupervisor } from "./support/with_supervisor.ts";

const manual = { source: "manual" } as const;
const sh = (script: string) => ["/bin/sh", "-c", script];

Deno.test("every job.state carries job, pid, exit code or signal, uptime, reason and time", async () => {
  const dir = await Deno.makeTempDir();
  // The first run crashes after its minUptime; later runs sleep until killed.
  const script = `[ -e ${dir}/ran ] && exec sleep 30; touch ${dir}/ran; sleep 0.15; exit 7`;
  const job = resolvedJob("flaky", sh(script), { minUptimeMs: 100, backoffInitialMs: 20 });
  await withSupervisor([job], async (sup, log) => {
    // running → starting (lived past minUptime), then a kill by hand, then a stop.
    const second = await log.wait("job.spawned", () => true, { count: 2 });
    sup.signal("flaky", "SIGKILL", manual);
    await log.wait("job.exited", (e) => e.pid === second.pid);
    await until(() => sup.jobStatus("flaky")?.state === "running", "running again");
    const third = sup.jobStatus("flaky")!.pid!;
    await sup.stop("flaky", manual);
    const states = log.all("job.state");
    for (const e of states) {
      equal(e.job, "flaky");
      ok(typeof e.at === "number" && e.at > 0);
      ok(e.reason && typeof e.reason.source === "string");
      ok("code" in e && "signal" in e && "uptimeMs" in e, JSON.stringify(e));
    }
    const crash = states.find((e) => e.from === "running" && e.to === "starting")!;
    equal(crash.code, 7);
    equal(crash.signal, null);
    ok(crash.uptimeMs! >= 100, `uptime ${crash.uptimeMs}`);
    const killed = states.find((e) => e.from === "running" && e.to === "backoff")!;
    equal(killed.signal, "SIGKILL");
    equal(killed.code, null);
    ok(killed.uptimeMs! < 100);
    const running = states.filter((e) => e.to === "running");
    ok(running.every((e) => e.pid !== null), "a running state names its pid");
    const stopping = states.find((e) => e.to === "stopping")!;
    equal(stopping.pid, third);
    equal(stopping.reason.source, "manual");
    ok((stopping.uptimeMs ?? -1) >= 0);
    const stopped = states.at(-1)!;
    equal(stopped.to, "stopped");
    equal(stopped.signal, "SIGTERM");
  }).finally(() => Deno.remove(dir, { recursive: true }));
});

Deno.test("job output: the ring keeps the last 1000 lines, LogTape gets each at info under [sup, job, name, stream]", async () => {
  const records: LogRecord[] = [];
  await configure({
    reset: true,
    sinks: { test: (record) => records.push(record) },
    loggers: [
      { category: ["sup", "job"], sinks: ["test"], lowestLevel: "info" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
  });
  try {
    const job = resolvedJob("chatty", sh("seq 1 1500; echo oops >&2"), { once: true });
    await withSupervisor([job], async (sup, log) => {
      await log.wait("job.exited");
      await until(() => {
        const lines = sup.outputTail("chatty", 5_000);
        return lines.includes("oops") && lines.includes("1500");
      }, "all output read");
      const tail = sup.outputTail("chatty", 5_000);
      equal(tail.length, 1000);
      ok(tail[0] === "501" || tail[0] === "502", `oldest kept line ${tail[0]}`);
      // stdout and stderr are two pipes: their lines interleave in arrival order.
      deepStrictEqual(tail.filter((l) => l !== "oops").slice(-2), ["1499", "1500"]);
      equal(tail.filter((l) => l === "oops").length, 1);
      const mine = records.filter((r) => r.category.join(".").startsWith("sup.job.chatty."));
      const lines = mine.map((r) => r.message.join(""));
      ok(lines.includes("1") && lines.includes("1500"), "every line reaches the log");
      // A job's stderr is its output, not a warning of sup's: info, with the stream named.
      const oops = mine.find((r) => r.message.join("") === "oops");
      deepStrictEqual([oops?.level, oops?.category.at(-1)], ["info", "stderr"]);
      equal(mine.find((r) => r.message.join("") === "1500")?.category.at(-1), "stdout");
    });
  } finally {
    await reset();
  }
});

Deno.test("sup keeps going when a job's output file cannot be opened or the job closes its output", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/file`, "");
  const unopenable = {
    kind: "file" as const,
    path: `${dir}/file/sub/out.log`, // under a regular file: can never be created
    maxBytes: 1 << 20,
    maxFiles: 1,
    daily: false,
    mode: 0o600,
  };
  const jobs = [
    resolvedJob("nofile", sh("echo hello; echo again >&2; exec sleep 30"), {
      stdout: unopenable,
      stderr: unopenable,
    }),
    resolvedJob("closer", sh("echo bye; exec >&- 2>&-; exec sleep 30")),
    resolvedJob("other", ["sleep", "30"]),
  ];
  try {
    await withSupervisor(jobs, async (sup, log) => {
      await until(() => sup.status().every((s) => s.state === "running"), "all running");
      await until(() => sup.outputTail("nofile").length === 2, "output still reaches the ring");
      await until(() => sup.outputTail("closer").includes("bye"), "closer wrote before closing");
      await new Promise((r) => setTimeout(r, 200));
      ok(sup.status().every((s) => s.state === "running"), JSON.stringify(sup.status()));
      equal(log.all("job.exited").length, 0);
      sup.restart("nofile", manual);
      await log.wait("job.spawned", (e) => e.job === "nofile", { count: 2 });
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a job that forks and exits at once leaves no child behind and ends fatal, not in a storm", async () => {
  const dir = await Deno.makeTempDir();
  const job = resolvedJob("daemon", sh(`sleep 300 & echo $! >> ${dir}/kids; exit 0`), {
    minUptimeMs: 5_000,
    backoffInitialMs: 20,
    maxRetries: 3,
  });
  try {
    await withSupervisor([job, resolvedJob("other", ["sleep", "30"])], async (sup, log) => {
      await log.wait("job.fatal", (e) => e.job === "daemon");
      const kids = Deno.readTextFileSync(`${dir}/kids`).trim().split("\n").map(Number);
      equal(kids.length, 3);
      await until(() => kids.every((pid) => !alive(pid)), "each run's child died with it");
      equal(sup.jobStatus("other")?.state, "running");
    });
  } finally {
    // If the test failed, end the children it left, by pid.
    for (const pid of readOr(`${dir}/kids`).split("\n").filter(Boolean).map(Number)) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sideCommand stops when its job crashes and starts again with the next run", async () => {
  const dir = await Deno.makeTempDir();
  const job = resolvedJob("main", sh(`echo $$ >> ${dir}/main; sleep 0.3; exit 1`), {
    minUptimeMs: 100,
    sideCommand: sh(`echo $$ >> ${dir}/side; exec sleep 30`),
  });
  const pids = (name: string) => {
    try {
      return Deno.readTextFileSync(`${dir}/${name}`).trim().split("\n").map(Number);
    } catch {
      return [];
    }
  };
  try {
    await withSupervisor([job], async (sup, log) => {
      await log.wait("job.spawned", () => true, { count: 2 });
      await until(() => pids("side").length === 2, "a side command per run");
      const [side1, side2] = pids("side");
      await until(() => !alive(side1), "the first side command ended with the first run");
      ok(alive(side2) || sup.jobStatus("main")?.state !== "running");
      await sup.stop("main", manual);
      await until(
        () => pids("side").every((pid) => !alive(pid)),
        "no side command outlives a stop",
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("postLaunchCommand runs once per start, not on other transitions", async () => {
  const dir = await Deno.makeTempDir();
  const job = resolvedJob("svc", ["sleep", "30"], {
    postLaunchCommand: sh(`echo run >> ${dir}/post`),
  });
  try {
    await withSupervisor([job], async (sup, log) => {
      await until(() => readOr(`${dir}/post`).length > 0, "post-launch ran");
      sup.markReady("svc"); // already ready: nothing more runs
      sup.restart("svc", manual);
      await log.wait("job.spawned", () => true, { count: 2 });
      await until(() => readOr(`${dir}/post`) === "run\nrun\n", "once more");
      await sup.stop("svc", manual);
      await new Promise((r) => setTimeout(r, 200));
      equal(readOr(`${dir}/post`), "run\nrun\n");
      equal(log.all("job.ready").length, 2);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a job removed and added back while its process stops starts only after it is gone", async () => {
  const slow = resolvedJob(
    "slow",
    sh('trap "sleep 0.3; exit 0" TERM; while :; do sleep 0.05; done'),
  );
  await withSupervisor([slow], async (sup, log) => {
    const first = await log.wait("job.spawned");
    await until(
      () => sup.outputTail("slow").length === 0 && Date.now() - first.at > 100,
      "trap set",
    );
    sup.apply(resolvedConfig([]));
    sup.apply(resolvedConfig([slow]));
    const second = await log.wait("job.spawned", () => true, { count: 2 });
    const exited = log.all("job.exited", (e) => e.pid === first.pid)[0];
    ok(exited, "the old process ended");
    ok(second.at >= exited.at, "the new copy started after the old one ended");
    equal(sup.jobStatus("slow")?.state, "running");
  });
});

Deno.test("nothing starts once shutdown has begun, not even from a reload or a manual start", async () => {
  const jobs = [
    resolvedJob("slow", sh('trap "sleep 0.3; exit 0" TERM; while :; do sleep 0.05; done')),
    resolvedJob("other", ["sleep", "30"], { disabled: true }),
  ];
  const sup = new Supervisor({ onError: () => {} });
  const log = new EventLog(sup.bus);
  try {
    sup.apply(resolvedConfig(jobs));
    await log.wait("job.spawned");
    await new Promise((r) => setTimeout(r, 100)); // the trap is set
    const done = sup.shutdown();
    sup.start("other", manual);
    sup.restart("slow", manual);
    sup.apply(resolvedConfig([...jobs, resolvedJob("late", ["sleep", "30"])]));
    await done;
    equal(log.all("job.spawned").length, 1, "only the first spawn");
    ok(sup.status().every((s) => s.state === "stopped"));
  } finally {
    log.close();
  }
});

function readOr(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}
