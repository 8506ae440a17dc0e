/**
 * The heartbeat watchdog with the real supervisor, real child processes and
 * a real third-party OSC client (liblo's `oscsend`, Debian `liblo-tools`).
 */

import { equal, ok } from "node:assert/strict";
import type { EventOf } from "../src/core/events.ts";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { startHeartbeatSup } from "./support/heartbeat_sup.ts";

/** A job that sends `n` heartbeats with oscsend, 50 ms apart, then hangs (stays alive, silent). */
function beatsThenHangs(n: number, job = "kiosk"): string[] {
  return [
    "/bin/sh",
    "-c",
    `i=0; while [ $i -lt ${n} ]; do oscsend 127.0.0.1 "$OSC_PORT" /heart s ${job}; ` +
    `i=$((i+1)); sleep 0.05; done; exec sleep 1000`,
  ];
}

Deno.test("oscsend heartbeats keep a job alive and the first one marks it ready", async () => {
  await using sup = await startHeartbeatSup({
    jobs: () => [
      resolvedJob("kiosk", beatsThenHangs(1000), {
        heartbeat: { timeoutMs: 600, startupTimeoutMs: 5000, action: "restart" },
      }),
    ],
  });
  const ready = await sup.log.waitFor((e) => e.type === "job.ready" && e.job === "kiosk", "ready");
  await new Promise((r) => setTimeout(r, 1500));
  equal(sup.log.events.filter((e) => e.type === "heartbeat.missed").length, 0);
  equal(sup.log.events.filter((e) => e.type === "job.ready").length, 1);
  equal(sup.api.jobStatus("kiosk")?.pid, (ready as EventOf<"job.ready">).pid, "same process");
  ok(sup.hb.osc.stats().heartbeats >= 5, JSON.stringify(sup.hb.osc.stats()));
});

Deno.test("job that stops heartbeating is restarted within timeout + 100 ms", async () => {
  const timeoutMs = 500;
  await using sup = await startHeartbeatSup({
    jobs: () => [
      resolvedJob("kiosk", beatsThenHangs(4), {
        heartbeat: { timeoutMs, startupTimeoutMs: 10_000, action: "restart" },
        killTimeoutMs: 1000,
      }),
    ],
  });
  const first = await sup.log.waitFor<EventOf<"job.spawned">>(
    (e) => e.type === "job.spawned",
    "spawn",
  );
  const missed = await sup.log.waitFor<EventOf<"heartbeat.missed">>(
    (e) => e.type === "heartbeat.missed",
    "heartbeat.missed",
  );
  ok(missed.lastSeen !== null, "heartbeats were seen before the silence");
  const restart = await sup.log.waitFor<EventOf<"job.action">>(
    (e) => e.type === "job.action" && e.action === "restart" && e.reason.source === "heartbeat",
    "restart with reason heartbeat",
  );
  const late = restart.at - (missed.lastSeen! + timeoutMs);
  ok(late >= 0 && late <= 100, `restart began ${late}ms after the deadline`);
  const second = await sup.log.waitFor<EventOf<"job.spawned">>(
    (e) => e.type === "job.spawned" && e.pid !== first.pid,
    "new process",
  );
  ok(second.at >= restart.at);
});

Deno.test("job that never sends a first heartbeat is restarted after startupTimeout", async () => {
  await using sup = await startHeartbeatSup({
    jobs: () => [
      resolvedJob("silent", ["sleep", "1000"], {
        heartbeat: { timeoutMs: 100, startupTimeoutMs: 400, action: "restart" },
        killTimeoutMs: 1000,
      }),
    ],
  });
  const spawned = await sup.log.waitFor<EventOf<"job.spawned">>(
    (e) => e.type === "job.spawned",
    "spawn",
  );
  const missed = await sup.log.waitFor<EventOf<"heartbeat.missed">>(
    (e) => e.type === "heartbeat.missed",
    "heartbeat.missed",
  );
  equal(missed.lastSeen, null);
  equal(missed.timeoutMs, 400);
  const waited = missed.at - spawned.at;
  ok(waited >= 400 && waited <= 500, `missed after ${waited}ms`);
  const restart = await sup.log.waitFor<EventOf<"job.action">>(
    (e) => e.type === "job.action" && e.action === "restart",
    "restart",
  );
  equal(restart.reason.source, "heartbeat");
  equal(restart.reason.detail, "no first heartbeat within 400ms of the start");
});

Deno.test("a job `after` a heartbeat job starts only once that job is ready; postLaunchCommand runs once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-hb-" });
  try {
    await using sup = await startHeartbeatSup({
      jobs: () => [
        resolvedJob("db", ["/bin/sh", "-c", `sleep 0.4; ${beatsThenHangs(20, "db")[2]}`], {
          heartbeat: { timeoutMs: 2000, startupTimeoutMs: 10_000, action: "restart" },
          postLaunchCommand: ["/bin/sh", "-c", `echo ran >> ${dir}/post`],
        }),
        resolvedJob("api", ["sleep", "1000"], { after: ["db"] }),
      ],
    });
    const ready = await sup.log.waitFor(
      (e) => e.type === "job.ready" && e.job === "db",
      "db ready",
    );
    const api = await sup.log.waitFor(
      (e) => e.type === "job.spawned" && e.job === "api",
      "api spawned",
    );
    ok(api.at >= ready.at, "api waited for db's first heartbeat");
    const dbSpawn = sup.log.events.find((e) => e.type === "job.spawned" && e.job === "db")!;
    ok(ready.at - dbSpawn.at >= 350, "db became ready only after its first heartbeat");
    // Let more heartbeats arrive; the post-launch command must not run again.
    await new Promise((r) => setTimeout(r, 700));
    equal(await Deno.readTextFile(`${dir}/post`), "ran\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("action kill SIGKILLs a silent job and the restart policy brings it back", async () => {
  await using sup = await startHeartbeatSup({
    jobs: () => [
      resolvedJob("stuck", ["sleep", "1000"], {
        heartbeat: { timeoutMs: 100, startupTimeoutMs: 300, action: "kill" },
        minUptimeMs: 100,
      }),
    ],
  });
  const exited = await sup.log.waitFor<EventOf<"job.exited">>(
    (e) => e.type === "job.exited",
    "exit",
  );
  equal(exited.signal, "SIGKILL");
  await sup.log.waitFor((e) => e.type === "job.spawned" && e.pid !== exited.pid, "respawn");
});

Deno.test("action reboot runs the reboot command (a script standing in for systemctl reboot)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-hb-reboot-" });
  try {
    await using sup = await startHeartbeatSup({
      jobs: () => [
        resolvedJob("kiosk", ["sleep", "1000"], {
          heartbeat: { timeoutMs: 100, startupTimeoutMs: 200, action: "reboot" },
        }),
      ],
      machine: { rebootCommand: ["/bin/sh", "-c", `echo reboot > ${dir}/rebooted`] },
    });
    await sup.log.waitFor((e) => e.type === "heartbeat.missed", "missed");
    const end = Date.now() + 5000;
    let text = "";
    while (text === "" && Date.now() < end) {
      text = await Deno.readTextFile(`${dir}/rebooted`).catch(() => "");
      await new Promise((r) => setTimeout(r, 20));
    }
    equal(text, "reboot\n");
    const actions = sup.log.events.filter((e) =>
      e.type === "job.action" && e.reason.source === "heartbeat"
    );
    equal(actions.length, 0, "the job itself is left alone");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
