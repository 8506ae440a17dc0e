/**
 * `sup logs` and `sup events` as a user runs them, against a live `sup run`
 * found through its control socket: recent lines with time, job and stream,
 * -n, --json, --since, selectors with a did-you-mean, -f that follows until
 * sup stops, a closed pipe, and the event stream with --type.
 */

import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { until } from "../src/testing/wait.ts";
import { cliOf, envOf } from "./support/control_cli.ts";
import { startSupProcess } from "./support/sup_run.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

const talker = {
  cmd: [
    "sh",
    "-c",
    "echo hello; sleep 0.05; echo 'it broke' >&2; sleep 0.05; echo bye; exec sleep 300",
  ],
  groups: ["front"],
};

Deno.test("sup logs prints each job's lines in order with time, job and stream; -n, --json, --since, selectors", async () => {
  await using sup = await startSupProcess(() => ({
    jobs: { talker, quiet: { cmd: ["sh", "-c", "echo one quiet line; exec sleep 300"] } },
  }));
  let out = "";
  await until(
    async () => {
      out = (await cliOf(sup, ["logs", "talker"])).stdout;
      return out.includes("bye");
    },
    "talker's three lines",
    10_000,
  );
  const lines = out.trimEnd().split("\n");
  deepStrictEqual(lines.map((l) => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} /, "")), [
    "talker out | hello",
    "talker err | it broke",
    "talker out | bye",
  ]);
  const all = await cliOf(sup, ["logs", "all", "-n", "2", "--json"]);
  equal(all.code, 0, all.stderr);
  const records = all.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
  equal(records.length, 2);
  ok(records.every((r) => typeof r.time === "number" && r.job && r.stream && "line" in r));
  const group = await cliOf(sup, ["logs", "group:front", "--json"]);
  ok(group.stdout.trimEnd().split("\n").every((l) => JSON.parse(l).job === "talker"));
  const future = await cliOf(sup, ["logs", "--since", new Date(Date.now() + 60_000).toISOString()]);
  equal(future.code, 0);
  equal(future.stdout, "");
  const unknown = await cliOf(sup, ["logs", "takler"]);
  equal(unknown.code, 1);
  match(unknown.stderr, /unknown job "takler" \(did you mean "talker"\?\)/);
  const badSince = await cliOf(sup, ["logs", "--since", "lately"]);
  equal(badSince.code, 1);
  match(badSince.stderr, /since: "lately" is not a time/);
});

Deno.test("sup logs -f follows new lines until sup shuts down, then says so and exits 0", async () => {
  await using sup = await startSupProcess(() => ({
    jobs: {
      ticker: {
        cmd: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.05; done"],
      },
    },
  }));
  const follower = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, "logs", "ticker", "-f", "-n", "1"],
    cwd: sup.dir,
    env: { NO_COLOR: "1", ...envOf(sup) },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const text = new TextDecoder();
  let seen = "";
  const reading = (async () => {
    for await (const chunk of follower.stdout) seen += text.decode(chunk);
  })();
  try {
    await until(
      () => seen.split("\n").filter((l) => l.includes("tick")).length >= 10,
      "ten live lines",
      15_000,
    );
    const ticks = seen.split("\n").filter((l) => l).map((l) => Number(l.split("tick ")[1]));
    for (let i = 1; i < ticks.length; i++) {
      equal(ticks[i], ticks[i - 1] + 1, "no line lost or repeated");
    }
    const shutdown = await cliOf(sup, ["shutdown"]);
    equal(shutdown.code, 0, shutdown.stderr);
    const status = await follower.status;
    await reading;
    equal(status.code, 0);
    match(
      text.decode(await new Response(follower.stderr).arrayBuffer()),
      /The stream ended: sup stopped/,
    );
  } finally {
    try {
      follower.kill("SIGKILL");
    } catch {
      // ended
    }
  }
});

Deno.test("sup logs -f into a pipe that closes (| head) ends quietly", async () => {
  await using sup = await startSupProcess(() => ({
    jobs: {
      ticker: {
        cmd: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.02; done"],
      },
    },
  }));
  const env = { NO_COLOR: "1", ...envOf(sup) };
  const shell =
    `"${Deno.execPath()}" run -A --quiet ${MAIN} logs -f -n 0 | head -n 3; echo "status \${PIPESTATUS[0]}"`;
  const out = await new Deno.Command("bash", {
    args: ["-c", shell],
    cwd: sup.dir,
    env,
    stdin: "null",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const lines = new TextDecoder().decode(out.stdout).trimEnd().split("\n");
  equal(lines.length, 4, lines.join("\n"));
  equal(lines[3], "status 0");
  equal(new TextDecoder().decode(out.stderr), "");
});

Deno.test("sup events shows recent events and follows a restart, filtered by job and type", async () => {
  await using sup = await startSupProcess(() => ({
    jobs: { web: { cmd: "sleep 300" }, db: { cmd: "sleep 300" } },
  }));
  await until(
    async () => (await cliOf(sup, ["events"])).stdout.includes("job.spawned db"),
    "both started",
  );
  const recent = await cliOf(sup, ["events", "web", "--type", "job.spawned"]);
  equal(recent.code, 0, recent.stderr);
  match(
    recent.stdout,
    /^\d{4}-\d\d-\d\d [\d:.]+ job\.spawned web pid=\d+ argv=\["\/usr\/bin\/sleep","300"\]\n$/,
  );

  const follower = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      MAIN,
      "events",
      "web",
      "-f",
      "-n",
      "0",
      "--json",
      "--type",
      "job.action",
      "--type",
      "job.exited",
    ],
    cwd: sup.dir,
    env: { NO_COLOR: "1", ...envOf(sup) },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let seen = "";
  const reading = (async () => {
    for await (const chunk of follower.stdout) seen += new TextDecoder().decode(chunk);
  })();
  try {
    // The follower is subscribed once its (empty) history has been sent: wait for the restart to show.
    await until(
      async () => {
        if (!seen.includes("job.exited")) {
          const restarted = await cliOf(sup, ["restart", "web"]);
          equal(restarted.code, 0, restarted.stderr);
        }
        return seen.includes("job.exited");
      },
      "the restart in the stream",
      20_000,
    );
    const events = seen.trimEnd().split("\n").map((l) => JSON.parse(l));
    ok(
      events.every((e) => e.job === "web" && (e.type === "job.action" || e.type === "job.exited")),
    );
    const action = events.find((e) => e.type === "job.action");
    equal(action.action, "restart");
    equal(action.reason.source, "manual");
  } finally {
    follower.kill("SIGTERM");
    await follower.status;
    await reading;
  }
});
