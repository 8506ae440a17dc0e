/**
 * The control commands' job actions (`sup start|stop|restart|signal|
 * enable|disable <jobs>`), each through the one `SupervisorApi` path with
 * reason `{ source: "manual", detail: "sup <command>" }`, and each answering
 * with what happened to the job. `start` and `restart` return as soon as
 * the new process runs (its `job.spawned` event), or with why it did not
 * (fatal, backoff, a failed spawn), bounded by the job's kill timeout plus
 * `settleMs`.
 *
 * @module
 */

import type { JobStatus, SupervisorApi } from "../core/api.ts";
import type { JobActionResult } from "../core/control_api.ts";
import type { SupEvent } from "../core/events.ts";

/** The actions, as the routes name them. */
export const JOB_ACTIONS = ["start", "stop", "restart", "signal", "enable", "disable"] as const;
/** One of `JOB_ACTIONS`. */
export type JobAction = typeof JOB_ACTIONS[number];

/** Signals `sup signal` may send. */
export const SIGNALS: readonly Deno.Signal[] = [
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGTERM",
  "SIGKILL",
  "SIGUSR1",
  "SIGUSR2",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGWINCH",
  "SIGALRM",
  "SIGPWR",
];

/** "hup", "SIGHUP", "HUP" → "SIGHUP"; null when it is not one sup sends. */
export function parseSignal(text: string): Deno.Signal | null {
  const upper = text.trim().toUpperCase();
  const name = (upper.startsWith("SIG") ? upper : `SIG${upper}`) as Deno.Signal;
  return SIGNALS.includes(name) ? name : null;
}

const NO_PROCESS: ReadonlySet<JobStatus["state"]> = new Set(["stopped", "exited", "fatal"]);

/** Runs `action` on one job; never throws for the job's own failures (they are results). */
export async function runJobAction(
  api: SupervisorApi,
  job: string,
  action: JobAction,
  options: { signal?: Deno.Signal; settleMs?: number } = {},
): Promise<JobActionResult> {
  const before = api.jobStatus(job)!;
  const detail = `sup ${action}`;
  const reason = { source: "manual" as const, detail };
  const result = (ok: boolean, message: string): JobActionResult => {
    const now = api.jobStatus(job) ?? before;
    return { job, ok, message, pid: now.pid, state: now.state };
  };
  const settleMs = (options.settleMs ?? 10_000) + killTimeoutOf(api, job);
  switch (action) {
    case "start": {
      if (before.disabledBy !== null && before.disabledBy !== "config") return off(before, result);
      if (before.pid !== null && before.state !== "stopping") {
        return result(true, `already ${before.state} (pid ${before.pid})`);
      }
      return await spawnOf(api, job, () => api.start(job, reason), settleMs, result, "started");
    }
    case "restart": {
      if (before.disabledBy !== null && before.disabledBy !== "config") return off(before, result);
      const verb = before.pid === null ? "started (it was not running)" : "restarted";
      return await spawnOf(api, job, () => api.restart(job, reason), settleMs, result, verb);
    }
    case "stop": {
      if (NO_PROCESS.has(before.state)) return result(true, `already ${before.state}`);
      const was = before.pid === null ? before.state : `pid ${before.pid}`;
      await api.stop(job, reason);
      return result(true, `stopped (was ${was})`);
    }
    case "signal": {
      const signal = options.signal!;
      if (before.pid === null) return result(false, `not running (${before.state}): nothing sent`);
      api.signal(job, signal, reason);
      return result(true, `sent ${signal} to its process group ${before.pid}`);
    }
    case "enable": {
      if (before.disabledBy === "config") {
        return result(
          false,
          "disabled by its config (disabled: true), which sup enable does not override: " +
            `edit the config, or run it once with "sup start ${job}"`,
        );
      }
      if (before.disabledBy === null) return result(true, "not disabled");
      // Started as the config wants it (after its `after` jobs): wait for the spawn, if any.
      return await spawnOf(
        api,
        job,
        () => {
          void api.setEnabled(job, true, { by: detail });
        },
        settleMs,
        result,
        "enabled and started",
        "enabled (waits for the jobs it runs after)",
      );
    }
    case "disable": {
      const changed = await api.setEnabled(job, false, { by: detail, persist: true });
      if (!changed) return result(true, `already disabled (by ${before.disabledBy})`);
      const stopped = before.pid === null ? "" : `stopped pid ${before.pid}; `;
      return result(
        true,
        `disabled (${stopped}it stays stopped until "sup enable ${job}" or its config changes)`,
      );
    }
  }
}

function off(
  status: JobStatus,
  result: (ok: boolean, message: string) => JobActionResult,
): JobActionResult {
  const since = status.disabledAt ? ` since ${new Date(status.disabledAt).toISOString()}` : "";
  return result(
    false,
    `disabled by ${status.disabledBy}${since}: run "sup enable ${status.name}" first`,
  );
}

function killTimeoutOf(api: SupervisorApi, job: string): number {
  return api.config().jobs.find((j) => j.name === job)?.killTimeoutMs ?? 0;
}

/**
 * Asks for a (re)start and waits for its outcome: the spawn of a process
 * (success), or the job going fatal, into backoff, or failing to spawn.
 */
function spawnOf(
  api: SupervisorApi,
  job: string,
  ask: () => void,
  settleMs: number,
  result: (ok: boolean, message: string) => JobActionResult,
  verb: string,
  idle?: string,
): Promise<JobActionResult> {
  const oldPid = api.jobStatus(job)?.pid ?? null;
  const started = performance.now();
  return new Promise((resolve) => {
    const offs: (() => void)[] = [];
    const done = (value: JobActionResult) => {
      for (const unsubscribe of offs) unsubscribe();
      clearTimeout(timer);
      resolve(value);
    };
    const mine = (event: SupEvent) => "job" in event && event.job === job;
    offs.push(api.bus.on("job.spawned", (e) => {
      if (!mine(e)) return;
      const ms = (performance.now() - started).toFixed(0);
      const pids = oldPid === null ? `pid ${e.pid}` : `pid ${oldPid} → ${e.pid}`;
      done(result(true, `${verb} (${pids}) in ${ms} ms`));
    }));
    offs.push(
      api.bus.on("job.fatal", (e) => mine(e) && done(result(false, `fatal: ${e.message}`))),
    );
    offs.push(api.bus.on("job.backoff", (e) => {
      if (mine(e)) done(result(false, `died at once; retrying in ${e.delayMs} ms (backoff)`));
    }));
    const timer = setTimeout(() => {
      const now = api.jobStatus(job);
      done(result(false, `not running after ${settleMs} ms (${now?.state ?? "gone"})`));
    }, settleMs);
    ask();
    // Nothing started (e.g. an enabled job that waits for its gates): say so now.
    if (idle !== undefined && api.jobStatus(job)?.state === "stopped") done(result(true, idle));
  });
}
