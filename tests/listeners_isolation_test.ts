/**
 * Listeners cannot hurt supervision: a listener that throws on every event,
 * one whose promise never settles, one that is slow and one that is busy
 * (synchronous work), all fed 1,000 app events a second by a real app over
 * OSC, while a real job crashes every 200 ms and a heartbeat job keeps
 * beating. Jobs are still restarted at once, no heartbeat is missed, the
 * failures are reported at a bounded rate, and the queues stay bounded.
 * The restart latency (exit → next spawn) is measured with and without the
 * listeners and printed.
 */
import { equal, ok } from "node:assert/strict";
import type { ResolvedListener } from "../src/config/resolved_listeners.ts";
import type { SupEvent } from "../src/core/events.ts";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { startInProcessSup } from "./support/in_process_sup.ts";

const FLOOD = new URL("./fixtures/osc_flood.py", import.meta.url).pathname;
const RUN_MS = 3_000;

function fn(
  name: string,
  handle: (event: SupEvent) => unknown,
  timeoutMs = 10_000,
): ResolvedListener {
  return {
    type: "function",
    name,
    on: ["app.event", "job.exited", "job.spawned"],
    jobs: null,
    timeoutMs,
    queueSize: 1000,
    handle: handle as (event: never, ctx: never) => unknown,
  };
}

const LISTENERS: ResolvedListener[] = [
  fn("thrower", () => {
    throw new Error("this listener always throws");
  }),
  fn("hanger", () => new Promise(() => {}), 200),
  fn("slow", () => new Promise((resolve) => setTimeout(resolve, 5))),
  fn("busy", () => {
    const end = performance.now() + 0.3;
    while (performance.now() < end) { /* synchronous work */ }
  }),
];

interface Outcome {
  latencies: number[];
  appEvents: number;
  missed: number;
  failed: Extract<SupEvent, { type: "listener.failed" }>[];
  stats: { name: string; queued: number; dropped: number; handled: number }[];
}

async function scenario(listeners: ResolvedListener[] | undefined): Promise<Outcome> {
  await using sup = await startInProcessSup({
    jobs: () => [
      resolvedJob("crasher", ["sh", "-c", "sleep 0.2; exit 1"], { minUptimeMs: 100 }),
      resolvedJob("flooder", ["python3", FLOOD], {
        env: { RATE: "1000" },
        heartbeat: { timeoutMs: 500, startupTimeoutMs: 10_000, action: "restart" },
      }),
    ],
    listeners,
  });
  await sup.log.wait("job.ready", (e) => e.job === "flooder", { timeoutMs: 10_000 });
  const from = sup.log.events.length;
  await new Promise((resolve) => setTimeout(resolve, RUN_MS));
  const events = sup.log.events.slice(from);
  const latencies: number[] = [];
  let exitAt: number | null = null;
  for (const e of events) {
    if (e.type === "job.exited" && e.job === "crasher") exitAt = e.at;
    if (e.type === "job.spawned" && e.job === "crasher" && exitAt !== null) {
      latencies.push(e.at - exitAt);
      exitAt = null;
    }
  }
  const stats = sup.listeners?.stats() ?? [];
  return {
    latencies,
    appEvents: events.filter((e) => e.type === "app.event").length,
    missed: events.filter((e) => e.type === "heartbeat.missed").length,
    failed: sup.log.events.filter((e): e is Outcome["failed"][number] =>
      e.type === "listener.failed"
    ),
    stats,
  };
}

function summary(latencies: number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `n=${sorted.length} median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${
    sorted[sorted.length - 1]
  } ms`;
}

Deno.test({
  name:
    "a throwing, a hanging, a slow and a busy listener under 1,000 events/s delay no restart and no heartbeat",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const baseline = await scenario(undefined);
    const loaded = await scenario(LISTENERS);
    console.log(`restart latency without listeners: ${summary(baseline.latencies)}`);
    console.log(
      `restart latency with 4 failing listeners and ${
        Math.round(loaded.appEvents / (RUN_MS / 1000))
      } app events/s: ${summary(loaded.latencies)}`,
    );
    ok(loaded.appEvents >= RUN_MS * 0.8, `only ${loaded.appEvents} app events in ${RUN_MS} ms`);
    ok(loaded.latencies.length >= 8, `only ${loaded.latencies.length} restarts`);
    const sorted = [...loaded.latencies].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const baseMedian = [...baseline.latencies].sort((a, b) => a - b)[
      Math.floor(baseline.latencies.length / 2)
    ];
    ok(median <= baseMedian + 25, `median restart latency ${median} ms (${baseMedian} without)`);
    ok(sorted[sorted.length - 1] < 250, `a restart took ${sorted[sorted.length - 1]} ms`);
    equal(loaded.missed, 0, "no heartbeat was missed");
    const by = (name: string, problem: string) =>
      loaded.failed.filter((e) => e.listener === name && e.problem === problem).length;
    ok(by("thrower", "threw") >= 1, "the thrower is reported");
    ok(by("hanger", "timeout") >= 1, "the hanger is reported");
    ok(by("slow", "overflow") >= 1, "the slow one fell behind and is reported");
    // Thousands of failures, a handful of reports (5 s apart per problem and listener).
    ok(loaded.failed.length <= 12, `${loaded.failed.length} listener.failed events`);
    for (const s of loaded.stats) ok(s.queued <= 1000, `${s.name} holds ${s.queued} events`);
    const slow = loaded.stats.find((s) => s.name === "slow")!;
    ok(slow.dropped > 0 && slow.handled > 0, JSON.stringify(slow));
    console.log(
      `listeners: ${
        loaded.stats.map((s) => `${s.name} handled ${s.handled}, dropped ${s.dropped}`).join("; ")
      }`,
    );
  },
});
