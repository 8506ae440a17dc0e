/**
 * Flood bench: a crashing job's restart latency and sup's RSS while its app
 * channels are flooded, and after. Phases, each `phaseMs` long:
 * baseline (quiet), OSC (one core of UDP garbage and valid heartbeats, from
 * Debian's python3), WebSocket + HTTP (heartbeat frames and POSTs from this
 * process), all three, after (quiet again), then all three again and quiet
 * again (memory that grows in the second round is held by sup).
 *
 * The victim job lives ~100 ms and exits 1; its minUptime is lower, so each
 * exit is restarted at once. Latency = the new run's start stamp minus the
 * last run's exit stamp (`date +%s%N` in the job: both sides pay one fork).
 * Every flood goes to 127.0.0.1 only, is bounded in time and stops by itself.
 *
 * Run alone: `deno run -A bench/flood.ts [--quick]`; in `deno task bench`
 * with `--only=flood`. Targets: p50 < 10 ms under the OSC flood, RSS growth
 * < 20 MB, back to the baseline after. RSS is reported split: anonymous
 * memory (what sup holds: heaps, malloc) and file pages (the executable's
 * code that the flood's paths paged in; clean, shared, dropped by the kernel
 * under pressure). "Back to the baseline" is judged on the anonymous part,
 * after the final quiet phase ("settled", three phases long).
 *
 * @module
 */

import { findSup } from "./lib/peers.ts";
import { freeTcpPort, freeUdpPort } from "./lib/ports.ts";
import { summarize, type Summary } from "./lib/stats.ts";

/** One phase's figures. */
export interface FloodPhase {
  name: string;
  /** Restart latencies (ms) seen in the phase. */
  latency: Summary;
  /** sup's RSS at the end of the phase, MB. */
  rssMb: number;
  /** Of which anonymous memory (heaps, malloc, stacks: what sup holds), MB. */
  rssAnonMb: number;
  /**
   * The lowest anonymous memory sampled in the phase (every 250 ms), MB: the
   * floor between two of V8's garbage collections, which move the anonymous
   * memory up and down by a few MB.
   */
  rssAnonFloorMb: number;
  /** Of which pages of files (the executable's code, shared libraries), MB. */
  rssFileMb: number;
  /** Datagrams / frames / requests sent in the phase. */
  sent: { osc: number; websocket: number; http: number };
  /** 1-minute load average at the end of the phase. */
  load: number;
}

/** The whole run. */
export interface FloodResults {
  phaseMs: number;
  phases: FloodPhase[];
  /** Peak RSS over the run (VmHWM), MB. */
  peakRssMb: number;
}

/** UDP flood: alternates garbage and `/heart ,s beater`, for `seconds`; prints the count. */
const OSC_FLOOD = `
import socket, sys, time, os
port, seconds = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
heart = b"/heart\\0\\0,s\\0\\0beater\\0\\0"
junk = [os.urandom(n) for n in (4, 16, 64, 200)] + [b"/log\\0\\0\\0\\0,sN\\0info\\0\\0\\0\\0", b"#bundle\\0" + b"\\xff" * 12]
end = time.monotonic() + seconds
n = 0
while True:
  for _ in range(64):
    try:
      s.sendto(heart if n % 2 else junk[n % len(junk)], ("127.0.0.1", port))
    except OSError:
      pass
    n += 1
  if time.monotonic() > end:
    break
print(n)
`;

function rssMb(pid: number, field = "VmRSS"): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
    return Math.round(kb / 102.4) / 10;
  } catch {
    return NaN;
  }
}

function load1(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
  } catch {
    return NaN;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Restart latencies from the stamp file: start[i+1] - exit[i], for starts in [from, to). */
function latencies(file: string, fromNs: bigint, toNs: bigint): number[] {
  let text = "";
  try {
    text = Deno.readTextFileSync(file);
  } catch {
    return [];
  }
  const out: number[] = [];
  let lastExit: bigint | null = null;
  for (const line of text.split("\n")) {
    const [kind, stamp] = line.split(" ");
    if (!stamp) continue;
    const ns = BigInt(stamp);
    if (kind === "e") lastExit = ns;
    else if (kind === "s" && lastExit !== null) {
      if (ns >= fromNs && ns < toNs) out.push(Number(ns - lastExit) / 1e6);
      lastExit = null;
    }
  }
  return out;
}

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/** WebSocket heartbeat frames and HTTP heartbeat POSTs until `until`; returns the counts. */
export async function webFlood(wsPort: number, httpPort: number, until: number) {
  const sent = { websocket: 0, http: 0 };
  const sockets: WebSocket[] = [];
  for (let i = 0; i < 8; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${wsPort}/app?job=beater`);
    await new Promise((r) => {
      ws.onopen = r;
      ws.onerror = r;
    });
    sockets.push(ws);
  }
  const frame = JSON.stringify({ type: "heartbeat" });
  const wsLoop = async () => {
    while (Date.now() < until) {
      for (const ws of sockets) {
        if (ws.readyState === WebSocket.OPEN && ws.bufferedAmount < 1 << 20) {
          ws.send(frame);
          sent.websocket++;
        }
      }
      await sleep(0);
    }
  };
  const httpLoop = async () => {
    while (Date.now() < until) {
      try {
        const r = await fetch(`http://127.0.0.1:${httpPort}/api/jobs/beater/heartbeat`, {
          method: "POST",
        });
        await r.body?.cancel();
        sent.http++;
      } catch {
        await sleep(10);
      }
    }
  };
  await Promise.all([wsLoop(), ...Array.from({ length: 4 }, httpLoop)]);
  for (const ws of sockets) ws.close();
  return sent;
}

/** Runs the flood bench; `phaseMs` per phase (quick: 4 s, else 10 s). */
export async function runFlood(
  options: { quick?: boolean; log?: (line: string) => void } = {},
): Promise<FloodResults> {
  const log = options.log ?? ((line: string) => console.log(line));
  const phaseMs = options.quick ? 4000 : 10_000;
  const dir = await Deno.makeTempDir({ prefix: "sup-flood-" });
  const ports = { http: freeTcpPort(), ws: freeTcpPort(), osc: await freeUdpPort() };
  const stamps = `${dir}/stamps`;
  const victim =
    `echo s $(date +%s%N) >> ${stamps}; sleep 0.1; echo e $(date +%s%N) >> ${stamps}; exit 1`;
  await Deno.writeTextFile(
    `${dir}/sup.json`,
    JSON.stringify({
      jobs: {
        victim: { cmd: ["/bin/sh", "-c", victim], minUptime: "50ms" },
        beater: { cmd: ["sleep", "100000"], heartbeat: { timeout: "1h", startupTimeout: "1h" } },
      },
      network: {
        http: { port: ports.http },
        websocket: { port: ports.ws },
        osc: { port: ports.osc },
      },
      logging: { level: "warning" },
    }),
  );
  await Deno.mkdir(`${dir}/runtime`);
  // As the other benches run sup: the binary when built, else `deno run` with its V8 flags.
  const [command, ...supArgs] = (await findSup()).argv;
  const sup = new Deno.Command(command, {
    args: [...supArgs, "run", `${dir}/sup.json`],
    cwd: dir,
    env: { XDG_RUNTIME_DIR: `${dir}/runtime`, NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const phases: FloodPhase[] = [];
  try {
    const ready = Date.now() + 30_000;
    while (Date.now() < ready) {
      try {
        const r = await fetch(`http://127.0.0.1:${ports.http}/config`);
        await r.body?.cancel();
        if (r.ok) break;
      } catch { /* not yet */ }
      await sleep(100);
    }
    await sleep(1000); // JIT warm-up of the restart path
    const phase = async (name: string, osc: boolean, web: boolean, ms = phaseMs) => {
      const from = nowNs();
      const until = Date.now() + ms;
      const sent = { osc: 0, websocket: 0, http: 0 };
      const work: Promise<void>[] = [];
      if (osc) {
        work.push((async () => {
          const out = await new Deno.Command("timeout", {
            args: [
              String(phaseMs / 1000 + 10),
              "/usr/bin/python3",
              "-c",
              OSC_FLOOD,
              String(ports.osc),
              String(phaseMs / 1000),
            ],
            stdout: "piped",
            stderr: "null",
          }).output();
          sent.osc = Number(new TextDecoder().decode(out.stdout).trim()) || 0;
        })());
      }
      if (web) {
        work.push((async () => {
          Object.assign(sent, await webFlood(ports.ws, ports.http, until));
        })());
      }
      let floor = Infinity;
      const sampler = setInterval(() => floor = Math.min(floor, rssMb(sup.pid, "RssAnon")), 250);
      await Promise.all(work);
      const rest = until - Date.now();
      if (rest > 0) await sleep(rest);
      clearInterval(sampler);
      const result: FloodPhase = {
        name,
        latency: summarize(latencies(stamps, from, nowNs())),
        rssMb: rssMb(sup.pid),
        rssAnonMb: rssMb(sup.pid, "RssAnon"),
        rssAnonFloorMb: Math.min(floor, rssMb(sup.pid, "RssAnon")),
        rssFileMb: rssMb(sup.pid, "RssFile"),
        sent,
        load: load1(),
      };
      log(
        `flood ${name}: restart p50 ${result.latency.median?.toFixed(1)} ms, max ${
          result.latency.max?.toFixed(1)
        } ms (n=${result.latency.n}); RSS ${result.rssMb} MB (anon ${result.rssAnonMb}, floor ${result.rssAnonFloorMb}, file ${result.rssFileMb}); sent ${
          JSON.stringify(sent)
        }; load ${result.load}`,
      );
      phases.push(result);
    };
    await phase("baseline", false, false);
    await phase("osc", true, false);
    await phase("websocket+http", false, true);
    await phase("all", true, true);
    await phase("after", false, false);
    // The same flood again: memory that grows again is held by sup; memory that does not was
    // kept by the runtime after the first round and used again.
    await phase("all again", true, true);
    await phase("after again", false, false);
    // V8's memory reducer gives the heap back some seconds after the load ends.
    await phase("settled", false, false, 3 * phaseMs);
    return { phaseMs, phases, peakRssMb: rssMb(sup.pid, "VmHWM") };
  } finally {
    try {
      sup.kill("SIGTERM");
    } catch { /* gone */ }
    const timer = setTimeout(() => {
      try {
        sup.kill("SIGKILL");
      } catch { /* gone */ }
    }, 10_000);
    await sup.status;
    clearTimeout(timer);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const results = await runFlood({ quick: Deno.args.includes("--quick") });
  console.log(JSON.stringify(results, null, 2));
}
