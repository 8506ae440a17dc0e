/**
 * The sup side of the heartbeat bench, in its own process so its CPU can be
 * read from /proc: the real heartbeat watchdog, app registry, app command
 * handler and OSC channel (built by `buildAppSide`, as `sup run` builds them)
 * over a supervisor API whose `apps` jobs were "spawned" by events (no real
 * processes: a heartbeat never reaches the supervisor after the first one).
 * Commands on stdin, one JSON answer per line on stdout:
 * `stats`, `latency <trials> <timeoutMs>`, `quit`.
 *
 * @module
 */

import { resolvedConfig, resolvedJob } from "../src/testing/resolved_job.ts";
import { RecordingApi } from "../src/testing/recording_api.ts";
import { buildAppSide } from "../src/cli/run.ts";
import type { ActionReason } from "../src/core/events.ts";

const apps = Number(Deno.args[0] ?? 1000);
const hb = { timeoutMs: 10_000, startupTimeoutMs: 60_000, action: "restart" } as const;
const probe = { timeoutMs: 100, startupTimeoutMs: 60_000, action: "restart" } as const;
const names = Array.from({ length: apps }, (_, i) => `app-${i}`);
const probes = Array.from({ length: 64 }, (_, i) => `probe-${i}`);
const config = resolvedConfig([
  ...names.map((n) => resolvedJob(n, ["x"], { heartbeat: hb })),
  ...probes.map((n) => resolvedJob(n, ["x"], { heartbeat: probe })),
]);
config.network.osc = { host: "127.0.0.1", port: 0, appHost: "127.0.0.1", appPort: 9 };

/** Restart calls land here: the time the watchdog asked, per job. */
const restarts = new Map<string, (at: number) => void>();
class BenchApi extends RecordingApi {
  override restart(job: string, _reason: ActionReason): void {
    const at = performance.timeOrigin + performance.now();
    restarts.get(job)?.(at);
  }
}

const api = new BenchApi(config);
// The app side as `sup run` builds it; only the OSC channel listens (no WebSocket or HTTP server).
const side = buildAppSide({ api, state: null });
const components = side.components.filter((c) => c !== side.websocket && c !== side.http);
for (const component of components) await component.apply(config);
let pid = 1000;
for (const job of names) {
  api.spawned(job, pid++);
}
const out = (value: unknown) => console.log(JSON.stringify(value));
out({ port: side.osc.addr!.port, pid: Deno.pid, socket: side.osc.socketKind });

/** One trial: arm a probe job, beat once, measure restart time - (lastSeen + timeout). */
async function trial(job: string, timeoutMs: number): Promise<number> {
  api.spawned(job, pid++);
  side.watchdog.beat(job);
  const lastSeen = side.watchdog.info(job)!.lastSeen!;
  const at = await new Promise<number>((resolve) => restarts.set(job, resolve));
  restarts.delete(job);
  return at - (lastSeen + timeoutMs);
}

async function latency(trials: number, timeoutMs: number): Promise<number[]> {
  const results: number[] = [];
  let next = 0;
  // Up to 64 trials in flight, started 7 ms apart so deadlines do not coincide.
  const lane = async (job: string, offset: number) => {
    await new Promise((r) => setTimeout(r, offset));
    while (next < trials) {
      next++;
      results.push(await trial(job, timeoutMs));
    }
  };
  await Promise.all(probes.slice(0, Math.min(probes.length, trials)).map((j, i) => lane(j, i * 7)));
  return results;
}

let buffered = "";
reading: for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  const lines = (buffered + chunk).split("\n");
  buffered = lines.pop() ?? "";
  for (const line of lines) {
    const [cmd, a, b] = line.trim().split(" ");
    if (cmd === "stats") out(side.osc.stats());
    else if (cmd === "latency") out({ latencies: await latency(Number(a), Number(b)) });
    else if (cmd === "quit") break reading;
  }
}
for (const component of components.reverse()) await component.close();
Deno.exit(0);
