/**
 * PM2 under test: its daemon with a private PM2_HOME in a temp dir, started
 * by `pm2 start ecosystem.json` (the CLI spawns the daemon), apps in fork
 * mode with no interpreter, restart_delay 0, no exponential backoff and a
 * small min_uptime. The daemon is ended by its pid (pm2.pid), never by name.
 *
 * @module
 */

import { pollUntil } from "./clock.ts";
import { trySignal } from "./proc.ts";
import { endAll, type JobSpec, type Running, spawnLogged, TargetBase } from "./target.ts";

/** The PM2 ecosystem file content for `jobs`. */
export function pm2Ecosystem(jobs: JobSpec[]): Record<string, unknown> {
  return {
    apps: jobs.map((j) => ({
      name: j.name,
      script: j.cmd[0],
      args: j.cmd.slice(1),
      interpreter: "none",
      exec_mode: "fork",
      autorestart: !j.once,
      restart_delay: 0,
      min_uptime: j.minUptimeMs ?? 1000,
      max_restarts: 1000000,
      kill_timeout: 5000,
      treekill: true,
      watch: false,
      merge_logs: true,
      time: false,
      out_file: j.stdoutFile ?? "/dev/null",
      error_file: "/dev/null",
      pmx: false,
      automation: false,
      vizion: false,
    })),
  };
}

/** PM2 as a benchmark target. */
export class Pm2Target extends TargetBase {
  readonly name = "pm2";

  /** Writes `ecosystem.json` into `dir`, runs `pm2 start` with PM2_HOME=`dir`/pm2, finds the daemon. */
  async start(dir: string, jobs: JobSpec[]): Promise<Running> {
    const home = `${dir}/pm2`;
    await Deno.mkdir(home, { recursive: true });
    const eco = `${dir}/ecosystem.json`;
    await Deno.writeTextFile(eco, JSON.stringify(pm2Ecosystem(jobs), null, 2));
    const env = { PM2_HOME: home, NO_COLOR: "1" };
    const spawned = spawnLogged([...this.info.argv, "start", eco], {
      cwd: dir,
      env,
      logFile: `${dir}/pm2-cli.log`,
    });
    const pidFile = `${home}/pm2.pid`;
    let daemon: number;
    try {
      daemon = await pollUntil(
        "the PM2 daemon's pid file",
        async () => {
          try {
            const n = Number((await Deno.readTextFile(pidFile)).trim());
            return n > 0 ? n : undefined;
          } catch {
            return undefined;
          }
        },
        30_000,
        5,
      );
    } catch (e) {
      trySignal(spawned.child.pid, "SIGKILL");
      throw e;
    }
    const marker = this.marker;
    const clis = [spawned];
    return {
      launchedAt: spawned.launchedAt,
      pid: daemon,
      stop: () => {
        clis.push(spawnLogged([...this.info.argv, "kill"], {
          cwd: dir,
          env,
          logFile: `${dir}/pm2-cli.log`,
        }));
      },
      dispose: async (jobPids) => {
        await endAll(daemon, jobPids, marker);
        for (const cli of clis) {
          await endAll(cli.child.pid, [], marker, 2000);
          await cli.child.status;
          await cli.drained;
        }
      },
    };
  }
}
