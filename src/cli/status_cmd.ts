/**
 * `sup status [job|group:x ...] [--json] [-w]`: every job's state, pid,
 * uptime, restarts, last heartbeat or health check, memory, CPU and the
 * reason of its last action, from the running sup. `-w` redraws in place
 * every second (plain text, one table after another, when stdout is not a
 * terminal); `--json` prints the report (one line per redraw with `-w`).
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import type { ControlClient } from "../control/client.ts";
import { ControlError } from "../control/client.ts";
import type { StatusReport } from "../core/control_api.ts";
import { print, targetFlags, useColor, withSup, withTarget } from "./control_args.ts";
import { statusTable } from "./status_table.ts";

/** The `status` command. */
export function statusCommand() {
  return withTarget(
    new Command("status")
      .description("show the jobs of a running sup: state, pid, uptime, restarts, memory, CPU")
      .argument("[jobs...]", 'jobs to show: names, "group:<name>" or "all" (default: all)')
      .option("--json", "print the report as JSON")
      .option("-w, --watch", "redraw every second until Ctrl-C (like watch or pm2 monit)")
      .option("--interval <ms>", "redraw interval with --watch, in milliseconds", "1000"),
  ).action(async (jobs, options, command) => {
    const interval = Number(options.interval);
    await withSup(targetFlags(command), async (client) => {
      const query = jobs.length > 0 ? `?jobs=${encodeURIComponent(jobs.join(","))}` : "";
      const path = `/api/control/status${query}`;
      if (!options.watch) {
        const report = await client.request<StatusReport>("GET", path);
        print(options.json ? JSON.stringify(report, null, 2) : render(report));
        return;
      }
      await watch(client, path, options.json === true, interval > 0 ? interval : 1000);
    });
  });
}

function render(report: StatusReport): string {
  const width = Deno.stdout.isTerminal() ? Deno.consoleSize().columns : 200;
  return statusTable(report, { color: useColor(), width }).join("\n");
}

/** Redraws until SIGINT; a sup that stops answering is shown, and asked again. */
async function watch(
  client: ControlClient,
  path: string,
  json: boolean,
  intervalMs: number,
): Promise<void> {
  const terminal = Deno.stdout.isTerminal() && !json;
  const stop = Promise.withResolvers<void>();
  const onSignal = () => stop.resolve();
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  // The alternate screen, as watch(1) and top use: the terminal gets its text back after.
  if (terminal) print("\x1b[?1049h\x1b[?25l");
  try {
    for (;;) {
      let text: string;
      try {
        const report = await client.request<StatusReport>("GET", path);
        text = json ? JSON.stringify(report) : render(report);
      } catch (error) {
        if (!(error instanceof ControlError)) throw error;
        if (error.status !== null) throw error; // an answer (e.g. unknown job): no point asking again
        text = `${new Date().toLocaleTimeString()}  ${error.message}`;
      }
      if (terminal) print(`\x1b[H\x1b[2J${text}\n\nEvery ${intervalMs / 1000}s · Ctrl-C to quit`);
      else print(json ? text : `${text}\n`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const tick = new Promise<"tick">((resolve) =>
        timer = setTimeout(() => resolve("tick"), intervalMs)
      );
      const why = await Promise.race([tick, stop.promise.then(() => "stop" as const)]);
      clearTimeout(timer);
      if (why === "stop") return;
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    if (terminal) print("\x1b[?25h\x1b[?1049l");
  }
}
