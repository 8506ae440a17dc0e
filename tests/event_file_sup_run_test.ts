/**
 * The event log file end to end through `sup run`: `logging.events` gets a
 * header, the first start of every job (emitted before the feature is
 * loaded), app events sent over OSC, crashes and restarts with their
 * reasons, one line each with its fields in their columns, in a file named
 * after the day, with `logging.fileMode`.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { encodeOscMessage } from "../src/channels/osc_encode.ts";
import { EVENT_FILE_HEADER, localDate } from "../src/notify/event_file_format.ts";
import { until } from "../src/testing/wait.ts";
import { startSupProcess } from "./support/sup_run.ts";
import { udpClient } from "./support/udp_client.ts";

Deno.test("sup run: logging.events writes job lifecycle and app events to a daily TSV file", async () => {
  await using sup = await startSupProcess(() => ({
    logging: { events: { file: "logs/event-{date}.tsv" }, fileMode: 0o640 },
    jobs: {
      kiosk: { cmd: "sleep 300" },
      crasher: { cmd: ["/bin/sh", "-c", "sleep 0.2; exit 3"], restart: "never" },
    },
  }));
  await using app = await udpClient();
  await app.send(
    encodeOscMessage("/event", ["visitor", "tap", "door\tleft", 2, "kiosk"]),
    sup.ports.osc,
  );
  const path = `${sup.dir}/logs/event-${localDate(Date.now())}.tsv`;
  const rows = async () =>
    (await Deno.readTextFile(path).catch(() => "")).split("\n").filter((l) => l !== "")
      .map((l) => l.split("\t"));
  await until(
    async () =>
      (await rows()).some((r) => r[2] === "app.event") &&
      (await rows()).some((r) => r[2] === "job.exited"),
    "the app event and the crash in the file",
    10_000,
  );
  const all = await rows();
  deepStrictEqual(all[0], EVENT_FILE_HEADER.split("\t"));
  ok(all.slice(1).every((r) => r.length === 8), "eight columns on every line");
  const events = all.slice(1).map((r) => `${r[1]} ${r[2]}`);
  // The first starts happen before the feature is loaded: they are in the file all the same.
  ok(events.includes("kiosk job.spawned"), events.join("\n"));
  ok(events.includes("crasher job.spawned"), events.join("\n"));
  ok(events.indexOf("kiosk job.spawned") < events.indexOf(" sup.started"), events.join("\n"));
  const tap = all.find((r) => r[2] === "app.event")!;
  deepStrictEqual(tap.slice(1), ["kiosk", "app.event", "visitor", "tap", "door\\tleft", "2", ""]);
  const exit = all.find((r) => r[2] === "job.exited")!;
  equal(exit[1], "crasher");
  ok(/exited with code 3 after \d+ms \(unexpected\)$/.test(exit[7]), exit[7]);
  equal((await Deno.stat(path)).mode! & 0o777, 0o640);
});
