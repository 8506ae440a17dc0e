import { deepStrictEqual, equal, match } from "node:assert/strict";
import { EventHistory } from "../core/event_history.ts";
import { RecordingApi } from "../testing/recording_api.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { parseSince, streamRoutes } from "./stream_routes.ts";

function setup() {
  const api = new RecordingApi(resolvedConfig([
    resolvedJob("web", ["x"], { groups: ["front"] }),
    resolvedJob("worker", ["x"]),
    resolvedJob("proxy", ["x"], { groups: ["front"] }),
  ]));
  api.output.set("web", [
    { time: 10, stream: "stdout", line: "web up" },
    { time: 30, stream: "stderr", line: "web warn" },
  ]);
  api.output.set("worker", [{ time: 20, stream: "stdout", line: "working" }]);
  api.output.set("proxy", [{ time: 30, stream: "stdout", line: "proxy up" }]);
  const events = new EventHistory(api.bus);
  const app = streamRoutes({ api, events, stream: { keepaliveMs: 0 } });
  return { api, events, app };
}

async function records(response: Response): Promise<unknown[]> {
  return (await response.text()).split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

/** Reads NDJSON records from a streaming body one by one. */
function recordReader(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let carry = "";
  const ready: unknown[] = [];
  return {
    async next(): Promise<unknown | null> {
      while (ready.length === 0) {
        const { value, done } = await reader.read();
        if (done) return null;
        const parts = (carry + value).split("\n");
        carry = parts.pop()!;
        ready.push(...parts.filter((p) => p !== "").map((p) => JSON.parse(p)));
      }
      return ready.shift()!;
    },
    cancel: () => reader.cancel(),
  };
}

Deno.test("GET /api/logs merges the selected jobs' lines by time with job and stream", async () => {
  const { app } = setup();
  const response = await app.request("/api/logs?job=all");
  equal(response.status, 200);
  deepStrictEqual(await records(response), [
    { time: 10, job: "web", stream: "stdout", line: "web up" },
    { time: 20, job: "worker", stream: "stdout", line: "working" },
    { time: 30, job: "web", stream: "stderr", line: "web warn" },
    { time: 30, job: "proxy", stream: "stdout", line: "proxy up" },
  ]);
  const group = await records(await app.request("/api/logs?job=group:front&lines=2"));
  deepStrictEqual(group.map((r) => (r as { line: string }).line), ["web warn", "proxy up"]);
  const since = await records(await app.request("/api/logs?job=web&job=worker&since=15"));
  deepStrictEqual(since.map((r) => (r as { line: string }).line), ["working", "web warn"]);
});

Deno.test("GET /api/logs names what is wrong: unknown job (did you mean), bad lines, bad since", async () => {
  const { app } = setup();
  const unknown = await app.request("/api/logs?job=wrker");
  equal(unknown.status, 404);
  match((await unknown.json()).error, /unknown job "wrker".*"worker"/);
  const lines = await app.request("/api/logs?job=web&lines=-1");
  equal(lines.status, 400);
  match((await lines.json()).error, /^lines: "-1" is not a line count/);
  const since = await app.request("/api/logs?job=web&since=yesterday");
  equal(since.status, 400);
  match((await since.json()).error, /^since: "yesterday" is not a time/);
});

Deno.test("GET /api/logs?follow=1 sends the history then live lines, and unsubscribes when the reader goes", async () => {
  const { api, app } = setup();
  const response = await app.request("/api/logs?job=web&follow=1&lines=1");
  const reader = recordReader(response);
  deepStrictEqual(await reader.next(), {
    time: 30,
    job: "web",
    stream: "stderr",
    line: "web warn",
  });
  equal(api.bus.hasListeners("job.output"), true);
  api.bus.emit({
    type: "job.output",
    job: "worker",
    stream: "stdout",
    line: "not followed",
    at: 40,
  });
  api.bus.emit({ type: "job.output", job: "web", stream: "stdout", line: "live", at: 50 });
  deepStrictEqual(await reader.next(), { time: 50, job: "web", stream: "stdout", line: "live" });
  await reader.cancel();
  equal(api.bus.hasListeners("job.output"), false);
});

Deno.test("a followed group picks up a job a reload adds to it", async () => {
  const { api, app } = setup();
  const reader = recordReader(await app.request("/api/logs?job=group:front&follow=1&lines=0"));
  api.setConfig(
    resolvedConfig([
      resolvedJob("web", ["x"], { groups: ["front"] }),
      resolvedJob("cdn", ["x"], { groups: ["front"] }),
    ]),
  );
  api.bus.emit({ type: "config.reloaded", added: ["cdn"], removed: [], changed: [], at: 1 });
  api.bus.emit({ type: "job.output", job: "cdn", stream: "stdout", line: "cdn up", at: 60 });
  deepStrictEqual(await reader.next(), { time: 60, job: "cdn", stream: "stdout", line: "cdn up" });
  await reader.cancel();
});

Deno.test("GET /api/events sends recent events, filters by job and type, follows, and ends when sup stops", async () => {
  const { api, app } = setup();
  api.spawned("web", 100, 1_000);
  api.spawned("worker", 101, 2_000);
  api.bus.emit({
    type: "job.output",
    job: "web",
    stream: "stdout",
    line: "not an event here",
    at: 2_500,
  });
  const all = await records(await app.request("/api/events?type=job.spawned"));
  deepStrictEqual(all.map((e) => (e as { job: string }).job), ["web", "worker"]);
  const reader = recordReader(await app.request("/api/events?job=worker&follow=1&lines=5"));
  deepStrictEqual((await reader.next() as { type: string }).type, "job.spawned");
  deepStrictEqual((await reader.next() as { type: string }).type, "job.state");
  api.exited("web", 100);
  api.exited("worker", 101, "starting", 3_000);
  const exited = await reader.next() as { type: string; job: string };
  deepStrictEqual([exited.type, exited.job], ["job.exited", "worker"]);
  equal((await reader.next() as { type: string }).type, "job.state");
  api.bus.emit({ type: "sup.stopping", signal: "SIGTERM", at: 4_000 });
  equal(await reader.next(), null);
});

Deno.test("since is a duration back from now, an ISO time or ms since the epoch", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");
  equal(parseSince("10m", now), now - 600_000);
  equal(parseSince("2026-03-01T11:00:00Z", now), now - 3_600_000);
  equal(parseSince(String(now - 5), now), now - 5);
  equal(parseSince("soon", now), null);
});
