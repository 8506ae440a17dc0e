/**
 * Machine actions end to end through `sup run` (main.ts), with recording
 * commands standing in for `systemctl reboot` / `systemctl poweroff` (never
 * a real one): `machine.restartAfter`, `machine.shutdownSchedule`, and the
 * reboot-loop guard, also across a restart of sup.
 */

import { equal, ok } from "node:assert/strict";
import { restartSupProcess, startSupProcess } from "./support/sup_run.ts";
import { until } from "../src/testing/wait.ts";

/** Lines the recording command wrote (one per machine action taken). */
async function taken(file: string): Promise<string[]> {
  const text = await Deno.readTextFile(file).catch(() => "");
  return text.split("\n").filter((line) => line !== "");
}

/** A command that appends `word` to `file`. */
const recording = (file: string, word: string) => ["/bin/sh", "-c", `echo ${word} >> ${file}`];

/** A job that crashes 50 ms after each start, restarted at once (it outlives minUptime). */
const crasher = {
  cmd: ["/bin/sh", "-c", "sleep 0.05; exit 1"],
  minUptime: "10ms",
  maxRetries: 1000,
};

Deno.test("sup run: restartAfter reboots once a job crashed N times; the guard refuses the next, also after a restart of sup", async () => {
  const sup = await startSupProcess((_ports, dir) => ({
    machine: { rebootCommand: recording(`${dir}/machine`, "reboot"), restartAfter: 3 },
    jobs: { crasher },
  }));
  const file = `${sup.dir}/machine`;
  try {
    await until(async () => (await taken(file)).length === 1, "the reboot command ran", 10_000);
    await sup.waitForLog(
      ["REBOOTING THE MACHINE", 'job "crasher" was restarted 3 times', "restartAfter is 3"],
      "the reboot is logged with its reason",
    );
    // Three more crashes ask again: refused, the command does not run again.
    await sup.waitForLog(
      ["Reboot refused: the last machine action (reboot at", "minRebootInterval (15m)"],
      "the second reboot is refused",
    );
    equal((await taken(file)).length, 1);
    // The record is kept where a reboot does not erase it (not the runtime folder).
    const records = [...Deno.readDirSync(`${sup.dir}/state/sup`)].map((e) => e.name);
    ok(records.some((name) => name.endsWith(".machine.json")), records.join(", "));
    equal((await sup.stop()).code, 0);

    // A new sup on the same config (as after a reboot) still refuses.
    await using again = await restartSupProcess(sup);
    await again.waitForLog(
      ["Reboot refused: the last machine action (reboot at", 'job "crasher" was restarted 3'],
      "the new sup refuses too",
    );
    equal((await taken(file)).length, 1, "never a second reboot");
  } finally {
    await sup.stop();
    await Deno.remove(sup.dir, { recursive: true }).catch(() => {});
  }
});

Deno.test("sup run: shutdownSchedule powers off with machine.shutdownCommand; the next one within minRebootInterval is refused", async () => {
  await using sup = await startSupProcess((_ports, dir) => ({
    machine: {
      shutdownCommand: recording(`${dir}/machine`, "poweroff"),
      shutdownSchedule: "* * * * * *", // every second
      minRebootInterval: "1h",
    },
    jobs: { idle: { cmd: "sleep 300" } },
  }));
  const file = `${sup.dir}/machine`;
  await until(async () => (await taken(file)).length === 1, "the power-off command ran", 5_000);
  await sup.waitForLog(
    ["POWERING OFF THE MACHINE", 'machine.shutdownSchedule "* * * * * *"'],
    "the power-off is logged with its schedule",
  );
  await sup.waitForLog(
    ["Power-off refused: the last machine action (shutdown at", "minRebootInterval (1h)"],
    "the next second's power-off is refused",
  );
  equal((await taken(file)).join(","), "poweroff");
});
