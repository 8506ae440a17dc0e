/**
 * The `machine` section a user writes (ampm's `restartPcSchedule`,
 * `shutdownPcSchedule` and `restartMachineAfter`); resolved in
 * `machine_section.ts`.
 *
 * @module
 */

import type { CommandConfig, Duration } from "./types.ts";

/**
 * The machine sup runs on: how to restart it and power it off, when to do
 * so by itself, and how often at most. Every machine action is an event and
 * a log line with its reason, and is notified (mail, webhooks) before it runs.
 */
export interface MachineConfig {
  /**
   * The command that restarts the machine, run by `restartSchedule`,
   * `restartAfter` and heartbeat or app watchdogs with action "reboot" (as
   * sup's user, which must be allowed to reboot).
   * @default ["systemctl", "reboot"]
   * @example ["sudo", "/sbin/reboot"]
   */
  rebootCommand?: CommandConfig;
  /**
   * The command that powers the machine off, run by `shutdownSchedule`.
   * @default ["systemctl", "poweroff"]
   * @example ["sudo", "/sbin/poweroff"]
   */
  shutdownCommand?: CommandConfig;
  /**
   * Restart the machine on this cron schedule (ampm's `restartPcSchedule`),
   * in the machine's time zone; false for none.
   * @default false
   * @example "0 4 * * 1"
   */
  restartSchedule?: string | false;
  /**
   * Power the machine off on this cron schedule (ampm's
   * `shutdownPcSchedule`), in the machine's time zone; false for none.
   * @default false
   * @example "0 22 * * *"
   */
  shutdownSchedule?: string | false;
  /**
   * Restart the machine once a job has been restarted this many times
   * because it went away (it crashed, missed its heartbeat, failed its
   * health checks or httpok), as ampm's `restartMachineAfter`. A job's count
   * starts again when its own schedule acts on it, when sup starts and after
   * each machine action; false for never.
   * @default false
   * @example 10
   */
  restartAfter?: number | false;
  /**
   * The reboot-loop guard: a machine action (reboot or power-off) sooner
   * than this after the last one is refused, logged and notified. sup keeps
   * the time of its last machine action on disk, across reboots. 0 turns the
   * guard off.
   * @default "15m"
   */
  minRebootInterval?: Duration;
}
