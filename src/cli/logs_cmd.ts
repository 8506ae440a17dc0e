/**
 * `sup logs [job|group:x|all ...] [-n N] [-f] [--since 10m] [--json]`: the
 * last lines of jobs' output from the running sup's memory (each job keeps
 * its last 1000), then with `-f` every new line as the jobs write it. Each
 * line with the time sup read it, its job and its stream, in the order the
 * job wrote them (as far as two pipes allow: sup reads stdout and stderr
 * separately, so lines written within the same instant may swap).
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import type { LogRecord } from "../web/stream_routes.ts";
import { targetFlags, useColor, withSup, withTarget } from "./control_args.ts";
import { UserError } from "./exit_codes.ts";
import { streamToStdout } from "./stream_cmd.ts";
import { logLineText } from "./stream_text.ts";

/** The `logs` command. */
export function logsCommand() {
  return withTarget(
    new Command("logs")
      .description("show jobs' recent output, then follow it with -f")
      .argument("[jobs...]", 'jobs: names, "group:<name>" or "all" (default: all)')
      .option("-n, --lines <n>", "how many recent lines (all jobs together)", "100")
      .option("-f, --follow", "then print new lines as they come, until Ctrl-C or sup stops")
      .option("--since <when>", 'only lines since then: "10m", "2h", an ISO time')
      .option("--json", "one JSON object per line: {time, job, stream, line}"),
    { shortName: false },
  ).action(async (jobs, options, command) => {
    const lines = Number(options.lines);
    if (!Number.isInteger(lines) || lines < 0) {
      throw new UserError(`-n: "${options.lines}" is not a line count (a whole number >= 0)`);
    }
    const query = new URLSearchParams();
    for (const job of jobs.length ? jobs : ["all"]) query.append("job", job);
    query.set("lines", String(lines));
    if (options.since) query.set("since", options.since);
    if (options.follow) query.set("follow", "1");
    const color = useColor() && !options.json;
    const width = Math.max(
      0,
      ...jobs.filter((j) => !j.includes(":") && j !== "all").map((j) => j.length),
    );
    await withSup(targetFlags(command), (client) =>
      streamToStdout<LogRecord>(client, {
        path: `/api/logs?${query}`,
        follow: options.follow === true,
        noun: "lines",
        format: (record) =>
          options.json ? JSON.stringify(record) : logLineText(record, { color, jobWidth: width }),
      }));
  });
}
