/**
 * `sup rotate`: the running sup rotates its log file and the jobs' output
 * files now (or reopens the ones logrotate moved away), as SIGUSR1 does.
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import type { RotateReport } from "../core/control_api.ts";
import { print, targetFlags, withSup, withTarget } from "./control_args.ts";

/** The `rotate` command. */
export function rotateCommand() {
  return withTarget(
    new Command("rotate").description(
      "rotate sup's log and the jobs' output files now (reopen those logrotate moved)",
    ),
  ).action(async (_options, command) => {
    const report = await withSup(
      targetFlags(command),
      (client) => client.request<RotateReport>("POST", "/api/control/rotate"),
    );
    if (report.files.length === 0) {
      print("Nothing to rotate: sup logs to the console and no job writes to a file");
    } else print(`Rotated:\n${report.files.map((f) => `  ${f}`).join("\n")}`);
  });
}
