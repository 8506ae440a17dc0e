/**
 * The Deno restart floor: the smallest restart loop Deno allows (kill →
 * `await child.status` → `new Deno.Command(...).spawn()`, through util-linux
 * `setsid` as sup spawns, else `detached: true`), run in the harness itself.
 * What is left of a supervisor's restart latency above it is the
 * supervisor's own work.
 *
 * @module
 */

import { monoMs, sleep } from "./clock.ts";
import { type StampHelper, waitForStamps } from "./stamp.ts";

function findSetsid(): string | undefined {
  for (const dir of ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]) {
    try {
      if (Deno.statSync(`${dir}/setsid`).isFile) return `${dir}/setsid`;
    } catch {
      // next
    }
  }
  return undefined;
}

/** Restart latencies (ms) of the bare Deno loop, `trials` of them after 2 warm-ups. */
export async function denoRestartFloor(
  helper: StampHelper,
  stampFile: string,
  trials: number,
): Promise<number[]> {
  const setsid = findSetsid();
  const argv = [...helper.argv, stampFile, "floor"];
  const spawn = () =>
    new Deno.Command(setsid ?? argv[0], {
      args: setsid ? argv : argv.slice(1),
      stdin: "null",
      stdout: "null",
      stderr: "null",
      detached: setsid === undefined,
    }).spawn();
  let child = spawn();
  const samples: number[] = [];
  try {
    let stamps = await waitForStamps(stampFile, 1, 10_000);
    for (let i = 0; i < trials + 2; i++) {
      await sleep(50);
      const exited = child.status;
      const t0 = monoMs();
      Deno.kill(stamps[stamps.length - 1].pid, "SIGKILL");
      await exited;
      child = spawn();
      stamps = await waitForStamps(stampFile, stamps.length + 1, 10_000);
      if (i >= 2) samples.push(stamps[stamps.length - 1].ms - t0);
    }
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
  }
  return samples;
}
