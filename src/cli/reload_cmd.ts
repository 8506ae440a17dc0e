/**
 * `sup reload`: the running sup re-reads its config (as SIGHUP does) and
 * this prints what was added, removed and changed, or every validation
 * error (exit 1) while the running config stays.
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import type { ReloadReport } from "../core/control_api.ts";
import { print, targetFlags, withSup, withTarget } from "./control_args.ts";
import { ExitCode, UserError } from "./exit_codes.ts";

/** The `reload` command. */
export function reloadCommand() {
  return withTarget(
    new Command("reload")
      .description("re-read the config of a running sup; print what changed, or every error")
      .option("--json", "print the outcome as JSON"),
  ).action(async (options, command) => {
    const report = await withSup(
      targetFlags(command),
      (client) => client.request<ReloadReport>("POST", "/api/control/reload"),
    );
    if (options.json) print(JSON.stringify(report, null, 2));
    else print(reloadText(report));
    if (!report.ok) throw new UserError("", ExitCode.Failure);
  });
}

/** The outcome of a reload, for people. */
export function reloadText(report: ReloadReport): string {
  if (!report.ok) {
    const count = report.errors.length === 1 ? "1 problem" : `${report.errors.length} problems`;
    return [
      `Config "${report.config}" not reloaded (${count}); the running config stays:`,
      ...report.errors.map((e) => `  ${e}`),
    ].join("\n");
  }
  const lines = [`Reloaded "${report.config}":`];
  for (const key of ["added", "removed", "changed"] as const) {
    if (report[key].length > 0) lines.push(`  ${key.padEnd(8)} ${report[key].join(", ")}`);
  }
  if (report.sections.length > 0) lines.push(`  settings ${report.sections.join(", ")}`);
  if (lines.length > 1) return lines.join("\n");
  const previous = report.previous;
  if (previous === null) return `Reloaded "${report.config}": nothing changed`;
  const what = (["added", "removed", "changed"] as const)
    .filter((key) => previous[key].length > 0)
    .map((key) => `${key} ${previous[key].join(", ")}`).join("; ");
  return `Reloaded "${report.config}": nothing changed since sup reloaded it at ${
    new Date(previous.at).toLocaleTimeString()
  } (${what})`;
}
