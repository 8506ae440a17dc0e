/**
 * `sup events [job|group:x ...] [-n N] [-f] [--since 10m] [--type prefix] [--json]`:
 * the running sup's recent events (it keeps the last 1000, job output
 * aside), then with `-f` every new one: starts, exits with their stderr
 * tail, restarts and why, heartbeats missed, reloads, notifications... The
 * same objects listeners get (`--json` prints them as they are).
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import type { SupEvent } from "../core/events.ts";
import { targetFlags, useColor, withSup, withTarget } from "./control_args.ts";
import { UserError } from "./exit_codes.ts";
import { streamToStdout } from "./stream_cmd.ts";
import { eventText } from "./stream_text.ts";

/** The `events` command. */
export function eventsCommand() {
  return withTarget(
    new Command("events")
      .description("show sup's recent events, then follow them with -f")
      .argument(
        "[jobs...]",
        'only these jobs\' events: names, "group:<name>" (default: all events)',
      )
      .option("-n, --lines <n>", "how many recent events", "100")
      .option("-f, --follow", "then print new events as they come, until Ctrl-C or sup stops")
      .option("--since <when>", 'only events since then: "10m", "2h", an ISO time')
      .option(
        "-t, --type <prefix...>",
        'only events whose type starts so, e.g. "job.exited" or "health."',
      )
      .option("--json", "one event per line as JSON, as listeners get it"),
    { shortName: false },
  ).action(async (jobs, options, command) => {
    const lines = Number(options.lines);
    if (!Number.isInteger(lines) || lines < 0) {
      throw new UserError(`-n: "${options.lines}" is not an event count (a whole number >= 0)`);
    }
    const query = new URLSearchParams();
    for (const job of jobs) query.append("job", job);
    for (const type of options.type ?? []) query.append("type", type);
    query.set("lines", String(lines));
    if (options.since) query.set("since", options.since);
    if (options.follow) query.set("follow", "1");
    const color = useColor() && !options.json;
    await withSup(targetFlags(command), (client) =>
      streamToStdout<SupEvent>(client, {
        path: `/api/events?${query}`,
        follow: options.follow === true,
        noun: "events",
        format: (event) => options.json ? JSON.stringify(event) : eventText(event, { color }),
      }));
  });
}
