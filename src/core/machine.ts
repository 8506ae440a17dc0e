/**
 * Machine actions: restarting the machine or powering it off, the last
 * resort of watchdogs and what the machine's schedules ask for. The one path
 * for both (`SupervisorApi.machineAction`): the reboot-loop guard first (no
 * action sooner than `machine.minRebootInterval` after the last one, on disk
 * across reboots), then the record, the `machine.action` event (logged with
 * its reason), a notification through every notifier (awaited, bounded),
 * and only then the command.
 *
 * @module
 */

import type { ResolvedMachine } from "../config/resolved.ts";
import { formatDuration } from "../config/units.ts";
import type { EventBus } from "./event_bus.ts";
import type { ActionReason, MachineAction } from "./events.ts";
import { type MachineActionRecord, MachineRecord } from "./machine_record.ts";
import type { NotifierHub } from "./notifier_hub.ts";
import { type MachineCommandRunner, runMachineCommand } from "./reboot.ts";

/** What became of a machine action. */
export type MachineOutcome =
  | { outcome: "done"; command: string[] }
  | { outcome: "refused"; message: string }
  | { outcome: "failed"; command: string[]; error: string };

/** What machine actions are built from besides the bus and the config. */
export interface MachineOptions {
  /** Where notifications go. @default none */
  notifiers?: NotifierHub | null;
  /** Where the last action is kept across reboots. @default in memory */
  record?: MachineRecord;
  /** Runs the command. @default `runMachineCommand` */
  run?: MachineCommandRunner;
  /** How long the notification may hold the action back. @default 10 s */
  notifyTimeoutMs?: number;
  /** Reports what goes wrong around the action (a record that cannot be written). @default console.error */
  onError?: (message: string) => void;
  /** @default Date.now */
  now?: () => number;
}

const WORDS: Record<MachineAction, { doing: string; noun: string }> = {
  reboot: { doing: "Rebooting", noun: "Reboot" },
  shutdown: { doing: "Powering off", noun: "Power-off" },
};

/** Takes machine actions; see the module doc. */
export class MachineActions {
  #bus: EventBus;
  #config: () => ResolvedMachine;
  #notifiers: NotifierHub | null;
  #record: MachineRecord;
  #run: MachineCommandRunner;
  #notifyTimeoutMs: number;
  #onError: (message: string) => void;
  #now: () => number;
  #busy = false;

  /** `config` gives the running config's `machine` section. */
  constructor(bus: EventBus, config: () => ResolvedMachine, options: MachineOptions = {}) {
    this.#bus = bus;
    this.#config = config;
    this.#notifiers = options.notifiers ?? null;
    this.#record = options.record ?? new MachineRecord(null);
    this.#run = options.run ?? runMachineCommand;
    this.#notifyTimeoutMs = options.notifyTimeoutMs ?? 10_000;
    this.#onError = options.onError ?? ((message) => console.error(message));
    this.#now = options.now ?? Date.now;
  }

  /** The last machine action taken (from disk after a restart of sup). */
  last(): MachineActionRecord | null {
    return this.#record.last();
  }

  /** Restarts (`reboot`) or powers off (`shutdown`) the machine, unless the guard refuses. Never throws. */
  async act(action: MachineAction, reason: ActionReason): Promise<MachineOutcome> {
    const config = this.#config();
    const now = this.#now();
    const refusal = this.#refusal(action, config, now);
    if (refusal !== null) {
      const lastAt = this.#record.last()?.at ?? null;
      this.#bus.emit({
        type: "machine.refused",
        action,
        reason,
        message: refusal,
        lastAt,
        at: now,
      });
      await this.#notify(`${WORDS[action].noun} of ${host()} refused`, [
        refusal,
        `Asked for by ${because(reason)}.`,
      ]);
      return { outcome: "refused", message: refusal };
    }
    const command = [...(action === "reboot" ? config.rebootCommand : config.shutdownCommand)];
    const previous = this.#record.last();
    this.#busy = true;
    try {
      const written = this.#record.save({ action, at: now, reason, command });
      if (written !== null) this.#onError(`Machine action record: ${written}`);
      this.#bus.emit({ type: "machine.action", action, reason, command, at: now });
      await this.#notify(`${WORDS[action].doing} ${host()}: ${because(reason)}`, [
        `sup is ${WORDS[action].doing.toLowerCase()} the machine ${host()}.`,
        `Why: ${because(reason)}.`,
        `Command: ${command.join(" ")}`,
      ]);
      const result = await this.#run(command);
      if (result.ok) return { outcome: "done", command };
      // The machine stays up: the guard should not count an action that did not happen.
      this.#record.save(previous);
      const error = `${WORDS[action].noun} command "${command.join(" ")}" ${result.error}`;
      this.#onError(error);
      await this.#notify(`${WORDS[action].noun} of ${host()} failed`, [error]);
      return { outcome: "failed", command, error };
    } finally {
      this.#busy = false;
    }
  }

  /** Why `action` may not be taken now, or null. */
  #refusal(action: MachineAction, config: ResolvedMachine, now: number): string | null {
    const noun = WORDS[action].noun;
    if (this.#busy) return `${noun} refused: another machine action is under way`;
    const last = this.#record.last();
    const interval = config.minRebootIntervalMs;
    if (last === null || interval <= 0 || Math.abs(now - last.at) >= interval) return null;
    return `${noun} refused: the last machine action (${last.action} at ${
      new Date(last.at).toISOString()
    }, ${span(Math.max(0, now - last.at))} ago, for ${because(last.reason)}) was less than ` +
      `machine.minRebootInterval (${formatDuration(interval)}) ago`;
  }

  /** Notifies every notifier, waiting at most the bound. */
  async #notify(subject: string, lines: string[]): Promise<void> {
    if (!this.#notifiers || this.#notifiers.list().length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const sent = this.#notifiers.notify({ subject, body: lines.join("\n") });
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), this.#notifyTimeoutMs);
    });
    try {
      const result = await Promise.race([sent, late]);
      if (result === "late") {
        this.#onError(
          `Notifying "${subject}" took longer than ${span(this.#notifyTimeoutMs)}: going ahead`,
        );
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

/** `source: detail` (and who asked), for logs and notifications. */
export function because(reason: ActionReason): string {
  const source = reason.by ? `${reason.source} (${reason.by})` : reason.source;
  return reason.detail ? `${source}: ${reason.detail}` : source;
}

function host(): string {
  try {
    return Deno.hostname();
  } catch {
    return "this machine";
  }
}

/** "90s" → "1.5 min" style spans. */
function span(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10}s`;
  if (ms < 7_200_000) return `${Math.round(ms / 6_000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}
