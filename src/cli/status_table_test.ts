import { deepStrictEqual, ok } from "node:assert/strict";
import type { StatusReport, StatusRow } from "../core/control_api.ts";
import { jobStatus } from "../testing/recording_api.ts";
import { duration, size, statusTable } from "./status_table.ts";

const T = 1_800_000_000_000;

function row(name: string, fields: Partial<StatusRow>): StatusRow {
  return {
    ...jobStatus(name),
    rssBytes: null,
    cpuPercent: null,
    lastHeartbeatAt: null,
    health: null,
    ...fields,
  };
}

const report: StatusReport = {
  at: T,
  sup: {
    name: "kiosk",
    pid: 4242,
    config: "/opt/kiosk/config.ts",
    modes: [],
    version: "0.1.0",
    startedAt: T - 3_723_000,
    socket: "/run/sup/kiosk.sock",
    stateFile: "/run/sup/x.json",
    jobs: 3,
  },
  jobs: [
    row("web", {
      state: "running",
      pid: 1234,
      ready: true,
      startedAt: T - 125_000,
      restarts: 2,
      lastReason: { source: "crash", detail: "exited with code 1" },
      lastHeartbeatAt: T - 1_500,
      rssBytes: 52_428_800,
      cpuPercent: 3.14,
    }),
    row("worker", { state: "stopped", disabled: true, disabledBy: "sup disable", disabledAt: T }),
    row("api", {
      state: "fatal",
      fatalMessage: "died 10 times in a row",
      health: { ok: false, at: T - 4_000, reason: "status 500" },
    }),
  ],
};

Deno.test("status is a table: state, pid, uptime, restarts, heartbeat age, RSS, CPU, last reason", () => {
  const lines = statusTable(report, { color: false, width: 200 });
  deepStrictEqual(lines, [
    "sup kiosk (pid 4242, up 1h 02m) /opt/kiosk/config.ts",
    "JOB     STATE                PID  UPTIME  RESTARTS  HEARTBEAT                  RSS   CPU  LAST",
    "web     running             1234  2m 05s         2  1s ago                 50.0 MB  3.1%  crash: exited with code 1",
    "worker  stopped (disabled)     -  -              0  -                            -     -  disabled by sup disable",
    "api     fatal                  -  -              0  health failing 4s ago        -     -  died 10 times in a row",
  ]);
});

Deno.test("colour marks the state only, and only when asked; the last column is cut to the width", () => {
  const plain = statusTable(report, { color: false, width: 100 });
  ok(plain.every((l) => !l.includes("\x1b[")));
  ok(plain[2].endsWith("…") && plain[2].length <= 100, plain[2]);
  const colored = statusTable(report, { color: true, width: 200 });
  ok(colored[2].includes("\x1b[32mrunning"), "running is green");
  ok(colored[4].includes("\x1b[1;31mfatal"), "fatal is bold red");
  const sgr = new RegExp("\x1b\\[[0-9;]*m", "g");
  const wide = statusTable(report, { color: false, width: 200 });
  deepStrictEqual(colored.map((line) => line.replace(sgr, "")), wide);
});

Deno.test("durations and sizes read like sup's units", () => {
  deepStrictEqual(
    [450, 12_000, 184_000, 7_500_000, 200_000_000].map(duration),
    ["450ms", "12s", "3m 04s", "2h 05m", "2d 07h"],
  );
  deepStrictEqual([2048, 5 * 1024 ** 2, 3 * 1024 ** 3].map(size), ["2 KB", "5.0 MB", "3.0 GB"]);
});
