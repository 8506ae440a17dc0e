import { withLogRecords } from "../testing/log_capture.ts";
import { deepStrictEqual } from "node:assert/strict";
import { EventBus } from "./event_bus.ts";
import { logEvents } from "./event_logger.ts";

Deno.test("a signal sent on request and machine actions, taken or refused, are logged with their reasons", () =>
  withLogRecords((records) => {
    const bus = new EventBus();
    const off = logEvents(bus);
    const at = Date.now();
    const reason = { source: "heartbeat", detail: "no heartbeat for 1000ms" } as const;
    bus.emit({ type: "job.signaled", job: "kiosk", pid: 42, signal: "SIGKILL", reason, at });
    bus.emit({
      type: "machine.action",
      action: "reboot",
      reason,
      command: ["systemctl", "reboot"],
      at,
    });
    bus.emit({
      type: "machine.action",
      action: "shutdown",
      reason: { source: "schedule", detail: 'machine.shutdownSchedule "0 22 * * *"' },
      command: ["systemctl", "poweroff"],
      at,
    });
    bus.emit({
      type: "machine.refused",
      action: "reboot",
      reason,
      message: "Reboot refused: too soon",
      lastAt: at,
      at,
    });
    off();
    bus.emit({ type: "job.signaled", job: "kiosk", pid: 42, signal: "SIGKILL", reason, at });
    deepStrictEqual(
      records.map((r) => [r.category.join("."), r.level, r.message.join("")]),
      [
        [
          "sup.job.kiosk",
          "info",
          "Sent SIGKILL to process group 42 [heartbeat: no heartbeat for 1000ms]",
        ],
        [
          "sup.machine",
          "error",
          "REBOOTING THE MACHINE [heartbeat: no heartbeat for 1000ms] (running systemctl reboot)",
        ],
        [
          "sup.machine",
          "error",
          'POWERING OFF THE MACHINE [schedule: machine.shutdownSchedule "0 22 * * *"] (running systemctl poweroff)',
        ],
        [
          "sup.machine",
          "error",
          "Reboot refused: too soon [heartbeat: no heartbeat for 1000ms]",
        ],
      ],
    );
  }));
