/**
 * sup under test: a generated JSON config in a temp dir, run as
 * `sup run <config>` (dist/sup or `deno run -A main.ts`), with
 * XDG_RUNTIME_DIR pointed at the temp dir so its runtime state file never
 * meets another sup's, and its listeners on free loopback ports.
 *
 * @module
 */

import { freeNetwork } from "./ports.ts";
import { endAll, type JobSpec, type Running, spawnLogged, TargetBase } from "./target.ts";

/**
 * The sup config for `jobs`: immediate restart after a job that lived past
 * minUptime; `network` (free ports) is set when given.
 */
export function supConfig(
  jobs: JobSpec[],
  network?: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const j of jobs) {
    out[j.name] = {
      cmd: j.cmd,
      stdout: j.stdoutFile ? { file: j.stdoutFile, maxSize: "8GB", daily: false } : false,
      stderr: false,
      minUptime: `${j.minUptimeMs ?? 1000}ms`,
      ...(j.once ? { once: true } : { restart: "always" }),
    };
  }
  return network ? { network, jobs: out } : { jobs: out };
}

/** sup as a benchmark target. */
export class SupTarget extends TargetBase {
  readonly name = "sup";

  /** Writes `sup.json` into `dir` and runs `sup run sup.json` there. */
  async start(dir: string, jobs: JobSpec[]): Promise<Running> {
    const config = `${dir}/sup.json`;
    const network = await freeNetwork();
    await Deno.writeTextFile(config, JSON.stringify(supConfig(jobs, network), null, 2));
    const runtime = `${dir}/runtime`;
    await Deno.mkdir(runtime, { recursive: true });
    const spawned = spawnLogged([...this.info.argv, "run", config], {
      cwd: dir,
      env: { XDG_RUNTIME_DIR: runtime, NO_COLOR: "1" },
      logFile: `${dir}/sup.log`,
    });
    const pid = spawned.child.pid;
    const marker = this.marker;
    return {
      launchedAt: spawned.launchedAt,
      pid,
      stop: () => spawned.child.kill("SIGTERM"),
      dispose: async (jobPids) => {
        await endAll(pid, jobPids, marker);
        await spawned.child.status;
        await spawned.drained;
      },
    };
  }
}
