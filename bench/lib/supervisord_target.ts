/**
 * supervisord under test: a private instance (`supervisord -n -c <conf>`)
 * with its own config, log, pid file and child log dir in a temp dir, each
 * program set for immediate restart (startsecs=0, autorestart=true) and
 * stopped as a group, as sup stops jobs.
 *
 * @module
 */

import { endAll, type JobSpec, type Running, spawnLogged, TargetBase } from "./target.ts";

/** Quotes a word for supervisord's shlex-split `command=`. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** The supervisord.conf text for `jobs`, with its files under `dir`. */
export function supervisordConfig(dir: string, jobs: JobSpec[]): string {
  const lines = [
    "[supervisord]",
    `logfile=${dir}/supervisord.log`,
    `pidfile=${dir}/supervisord.pid`,
    `childlogdir=${dir}`,
    "nodaemon=true",
    "loglevel=info",
    "minfds=8192",
    "minprocs=1024",
    "",
    // supervisorctl's way in (bench/status_rtt.ts), a private socket as sup's
    "[unix_http_server]",
    `file=${dir}/supervisor.sock`,
    "chmod=0700",
    "",
    "[supervisorctl]",
    `serverurl=unix://${dir}/supervisor.sock`,
    "",
    "[rpcinterface:supervisor]",
    "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
    "",
  ];
  for (const j of jobs) {
    lines.push(
      `[program:${j.name}]`,
      `command=${j.cmd.map(quote).join(" ")}`,
      "startsecs=0",
      `autorestart=${j.once ? "false" : "true"}`,
      "startretries=1000000",
      "stopasgroup=true",
      "killasgroup=true",
      "stopwaitsecs=5",
      j.stdoutFile ? `stdout_logfile=${j.stdoutFile}` : "stdout_logfile=NONE",
      "stdout_logfile_maxbytes=0",
      "stdout_logfile_backups=0",
      "stderr_logfile=NONE",
      "",
    );
  }
  return lines.join("\n");
}

/** supervisord as a benchmark target. */
export class SupervisordTarget extends TargetBase {
  readonly name = "supervisord";

  /** Writes `supervisord.conf` into `dir` and runs `supervisord -n -c` on it. */
  async start(dir: string, jobs: JobSpec[]): Promise<Running> {
    const conf = `${dir}/supervisord.conf`;
    await Deno.writeTextFile(conf, supervisordConfig(dir, jobs));
    const spawned = spawnLogged([...this.info.argv, "-n", "-c", conf], {
      cwd: dir,
      logFile: `${dir}/supervisord.out`,
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
