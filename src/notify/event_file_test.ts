import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import type { ResolvedConfig } from "../config/resolved.ts";
import { EventBus } from "../core/event_bus.ts";
import type { SupEvent } from "../core/events.ts";
import { withLogRecords } from "../testing/log_capture.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { EventFile } from "./event_file.ts";
import { lazyWithEarlyEvents } from "./event_file_early.ts";
import {
  escapeField,
  EVENT_FILE_HEADER,
  eventLine,
  LIFECYCLE_EVENTS,
  localDate,
} from "./event_file_format.ts";

function config(
  file: string | null,
  fields: { jobs?: boolean; fileMode?: number } = {},
): ResolvedConfig {
  const base = resolvedConfig([resolvedJob("web", ["x"])]);
  return {
    ...base,
    logging: {
      ...base.logging,
      fileMode: fields.fileMode ?? 0o600,
      events: file === null ? null : { file, jobs: fields.jobs ?? true },
    },
  };
}

const DAY1 = new Date(2026, 11, 2, 10, 15, 3, 120).getTime(); // local time
const DAY2 = new Date(2026, 11, 3, 0, 0, 1).getTime();

const appEvent = (at: number, label: string | null = "left\tdoor\nopen"): SupEvent => ({
  type: "app.event",
  job: "kiosk",
  category: "touch",
  action: "tap",
  label,
  value: 3,
  at,
});

async function lines(path: string): Promise<string[]> {
  return (await Deno.readTextFile(path)).split("\n").slice(0, -1);
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sup-event-file-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("fields are escaped so every line is one event and every field in its column", () => {
  equal(escapeField("a\tb\nc\rd\\e"), "a\\tb\\nc\\rd\\\\e");
  const line = eventLine(appEvent(DAY1))!;
  const fields = line.split("\t");
  equal(fields.length, EVENT_FILE_HEADER.split("\t").length);
  match(fields[0], /^2026-12-02T10:15:03\.120[+-]\d\d:\d\d$/);
  deepStrictEqual(fields.slice(1), [
    "kiosk",
    "app.event",
    "touch",
    "tap",
    "left\\tdoor\\nopen",
    "3",
    "",
  ]);
  equal(eventLine({ type: "job.output", job: "web", stream: "stdout", line: "x", at: DAY1 }), null);
});

Deno.test("the event file gets a header, app events and job lifecycle events, in a new file each day", () =>
  withDir(async (dir) => {
    const bus = new EventBus();
    const file = new EventFile(bus);
    file.apply(config(`${dir}/logs/event-{date}.tsv`, { fileMode: 0o640 }));
    bus.emit(appEvent(DAY1));
    bus.emit({ type: "job.spawned", job: "web", pid: 42, argv: ["node", "web.js"], at: DAY1 });
    bus.emit({
      type: "job.exited",
      job: "web",
      pid: 42,
      code: 1,
      signal: null,
      uptimeMs: 1500,
      expected: false,
      stderrTail: [],
      at: DAY1,
    });
    bus.emit({
      type: "job.action",
      job: "web",
      action: "restart",
      reason: { source: "listener", by: "httpok", detail: "GET / timed out" },
      at: DAY1,
    });
    bus.emit({
      type: "job.output",
      job: "web",
      stream: "stdout",
      line: "not in the file",
      at: DAY1,
    });
    bus.emit(appEvent(DAY2, null));
    await file.close();
    const day1 = `${dir}/logs/event-${localDate(DAY1)}.tsv`;
    const rows = (await lines(day1)).map((l) => l.split("\t").slice(1));
    deepStrictEqual(rows, [
      EVENT_FILE_HEADER.split("\t").slice(1),
      ["kiosk", "app.event", "touch", "tap", "left\\tdoor\\nopen", "3", ""],
      ["web", "job.spawned", "", "", "", "", "pid 42: node web.js"],
      ["web", "job.exited", "", "", "", "", "pid 42 exited with code 1 after 1500ms (unexpected)"],
      ["web", "job.action", "", "", "", "", "restart [listener (httpok): GET / timed out]"],
    ]);
    equal((await Deno.stat(day1)).mode! & 0o777, 0o640, "logging.fileMode");
    equal((await Deno.stat(`${dir}/logs`)).mode! & 0o777, 0o750, "the folder gets search bits");
    deepStrictEqual(
      (await lines(`${dir}/logs/event-${localDate(DAY2)}.tsv`)).map((l) => l.split("\t").slice(1)),
      [EVENT_FILE_HEADER.split("\t").slice(1), ["kiosk", "app.event", "touch", "tap", "", "3", ""]],
    );
  }));

Deno.test("a sup started again the same day appends without a second header; jobs: false keeps app events only", () =>
  withDir(async (dir) => {
    const path = `${dir}/events.tsv`;
    for (let run = 0; run < 2; run++) {
      const bus = new EventBus();
      const file = new EventFile(bus);
      file.apply(config(path, { jobs: false }));
      bus.emit(appEvent(DAY1 + run));
      bus.emit({ type: "job.spawned", job: "web", pid: 42, argv: ["x"], at: DAY1 });
      await file.close();
    }
    const all = await lines(path);
    equal(all.length, 3);
    equal(all[0], EVENT_FILE_HEADER);
    ok(all.slice(1).every((l) => l.split("\t")[2] === "app.event"));
  }));

Deno.test("events emitted before the lazily loaded file exists are written first, in order", () =>
  withDir(async (dir) => {
    const bus = new EventBus();
    const path = `${dir}/events.tsv`;
    let file: EventFile | null = null;
    const component = lazyWithEarlyEvents(
      bus,
      ["app.event", ...LIFECYCLE_EVENTS],
      (c) => c.logging.events !== null,
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 10)); // an import takes a while
        return file = new EventFile(bus);
      },
    );
    bus.emit({ type: "job.spawned", job: "web", pid: 1, argv: ["x"], at: DAY1 });
    const applied = component.apply(config(path));
    bus.emit({ type: "job.ready", job: "web", pid: 1, by: "spawn", at: DAY1 }); // while loading
    await applied;
    bus.emit(appEvent(DAY1));
    await file!.flush();
    deepStrictEqual((await lines(path)).map((l) => l.split("\t")[2]), [
      "event",
      "job.spawned",
      "job.ready",
      "app.event",
    ]);
    await component.close();

    // A config without the file: nothing kept, nothing loaded.
    let loaded = false;
    const unused = lazyWithEarlyEvents(bus, ["app.event"], () => false, () => {
      loaded = true;
      return Promise.resolve(new EventFile(bus));
    });
    await unused.apply(config(null));
    equal(loaded, false);
    await unused.close();
  }));

Deno.test("a file that falls behind drops lines, counts them and says so when it catches up", () =>
  withLogRecords(async (records) =>
    await withDir(async (dir) => {
      const bus = new EventBus();
      const file = new EventFile(bus, { maxQueuedBytes: 0 });
      file.apply(config(`${dir}/events.tsv`));
      for (let i = 0; i < 5; i++) bus.emit(appEvent(DAY1));
      await file.flush();
      bus.emit(appEvent(DAY1));
      await file.close();
      equal(
        (await lines(`${dir}/events.tsv`)).length,
        2,
        "the header, then one line queued at a time",
      );
      const messages = records.map((r) => r.message.join(""));
      ok(messages.some((m) => m.includes("is behind: dropping events")), messages.join("\n"));
      ok(messages.some((m) => m.endsWith(": 5 events were dropped")), messages.join("\n"));
    })
  ));

Deno.test("turning logging.events off stops writing", () =>
  withDir(async (dir) => {
    const bus = new EventBus();
    const file = new EventFile(bus);
    file.apply(config(`${dir}/events.tsv`));
    bus.emit(appEvent(DAY1));
    file.apply(config(null));
    bus.emit(appEvent(DAY1));
    await file.close();
    equal((await lines(`${dir}/events.tsv`)).length, 2);
    equal(bus.hasListeners("app.event"), false);
  }));
