/**
 * The `machine` section resolved (see `machine_types.ts` for what users write).
 *
 * @module
 */

/** The machine section resolved: commands as argv, durations in ms, null for "none". */
export interface ResolvedMachine {
  /** argv of the command that restarts the machine. */
  rebootCommand: string[];
  /** argv of the command that powers the machine off. */
  shutdownCommand: string[];
  /** Cron expression, or null. */
  restartSchedule: string | null;
  /** Cron expression, or null. */
  shutdownSchedule: string | null;
  /** Restarts of one job that restart the machine, or null. */
  restartAfter: number | null;
  /** 0: no guard. */
  minRebootIntervalMs: number;
}

/** The `machine` section when the config says nothing. */
export const DEFAULT_MACHINE: Readonly<ResolvedMachine> = Object.freeze({
  rebootCommand: ["systemctl", "reboot"],
  shutdownCommand: ["systemctl", "poweroff"],
  restartSchedule: null,
  shutdownSchedule: null,
  restartAfter: null,
  minRebootIntervalMs: 15 * 60_000,
});

/** A copy of the defaults (arrays not shared). */
export function defaultMachine(): ResolvedMachine {
  return {
    ...DEFAULT_MACHINE,
    rebootCommand: [...DEFAULT_MACHINE.rebootCommand],
    shutdownCommand: [...DEFAULT_MACHINE.shutdownCommand],
  };
}
