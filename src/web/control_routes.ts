/**
 * The operator routes the `sup` CLI uses (`/api/control/...`), served on
 * the control socket and, behind the operator token, over TCP: who this
 * sup is, the status table's rows, job actions on selectors (`web`,
 * `group:x`, `all`), reload, rotate and shutdown. Every action goes through
 * the supervisor API with reason `{ source: "manual", detail: "sup <cmd>" }`.
 *
 * @module
 */

import { Hono } from "hono";
import type { Context } from "hono";
import { selectJobs, selectorProblem } from "../config/selector.ts";
import type { JobStatus, SupervisorApi } from "../core/api.ts";
import type {
  ControlErrorBody,
  JobActionReport,
  ReloadReport,
  RotateReport,
  ShutdownReport,
  StatusReport,
  StatusRow,
  SupInfo,
} from "../core/control_api.ts";
import { readProcStat } from "../core/proc_stat.ts";
import { JOB_ACTIONS, type JobAction, parseSignal, runJobAction, SIGNALS } from "./job_actions.ts";
import { type JobHealth, trackHealth } from "./job_health.ts";

/** What `sup run` lets the control routes do besides the supervisor API. */
export interface SupControl {
  /** The runtime state file (the control socket's default folder is its folder). */
  readonly stateFile: string;
  /** Who this sup is, besides what the config says. */
  about(): Pick<SupInfo, "name" | "version" | "startedAt" | "socket" | "stateFile">;
  /** Re-reads the config as SIGHUP does; resolves to what changed, or every problem. */
  reload(): Promise<ReloadReport>;
  /** Rotates (or reopens) sup's log and the jobs' output files now, as SIGUSR1 does. */
  rotate(): Promise<RotateReport>;
  /** Stops every job and ends sup, as SIGTERM does. */
  shutdown(by: string): void;
}

/** Usage of process groups (pgid → leader start ms) → figures; `probes/proc_usage.ts`. */
export type UsageReader = (
  groups: ReadonlyMap<number, number>,
) => Promise<Map<number, { rssBytes: number; cpuPercent: number | null }>>;

/** What the control routes are built on. */
export interface ControlRoutesParts {
  api: SupervisorApi;
  control: SupControl;
  /** When the current run of a job last sent a heartbeat (ms since the epoch), or null. */
  lastHeartbeat?(job: string): number | null;
  /** Resident memory and CPU of jobs' process groups. @default none (shown as unknown) */
  usage?: UsageReader;
  /** The jobs' health, tracked from sup's start (`trackHealth`). @default tracked from now on */
  health?: JobHealth;
}

/** `/api/control/...` routes. */
export function controlRoutes(parts: ControlRoutesParts): Hono {
  const { api, control } = parts;
  const health = parts.health ?? trackHealth(api.bus);
  const info = (): SupInfo => {
    const config = api.config();
    return {
      ...control.about(),
      pid: Deno.pid,
      config: config.source,
      modes: config.modes,
      jobs: config.jobs.length,
    };
  };
  const app = new Hono();
  // The socket is up before sup applies its first config (and starts jobs): until then, 503.
  app.use("/api/control/*", async (c, next) => {
    try {
      api.config();
    } catch {
      c.header("Retry-After", "1");
      return c.json({ error: "sup is starting: ask again in a moment" }, 503);
    }
    await next();
  });

  app.get("/api/control/info", (c) => c.json(info()));

  app.get("/api/control/status", async (c) => {
    const raw = c.req.query("jobs");
    const picked = raw ? select(api, raw.split(",")) : { names: null, problems: [] };
    if (picked.problems.length > 0) return problems(c, picked.problems);
    const wanted = picked.names === null ? null : new Set(picked.names);
    const statuses = api.status().filter((s) => wanted === null || wanted.has(s.name));
    const report: StatusReport = {
      sup: info(),
      jobs: await rows(statuses, parts, health),
      at: Date.now(),
    };
    return c.json(report);
  });

  app.post("/api/control/jobs/:action", async (c) => {
    const action = c.req.param("action") as JobAction;
    if (!JOB_ACTIONS.includes(action)) {
      return c.json(
        { error: `No job action "${action}" (expected ${JOB_ACTIONS.join(", ")})` },
        404,
      );
    }
    const body = await c.req.json().catch(() => null) as { jobs?: unknown; signal?: unknown };
    const selectors = Array.isArray(body?.jobs)
      ? body.jobs.filter((j) => typeof j === "string")
      : [];
    if (selectors.length === 0) {
      return c.json({ error: 'Name the jobs: a body { "jobs": ["web", "group:x", "all"] }' }, 400);
    }
    let signal: Deno.Signal | undefined;
    if (action === "signal") {
      signal = parseSignal(String(body.signal ?? "")) ?? undefined;
      if (!signal) {
        const error = `${JSON.stringify(body.signal ?? null)} is not a signal sup sends ` +
          `(expected one of ${SIGNALS.map((s) => s.slice(3)).join(", ")})`;
        return c.json({ error } satisfies ControlErrorBody, 400);
      }
    }
    const picked = select(api, selectors as string[]);
    if (picked.problems.length > 0) return problems(c, picked.problems, `nothing was done`);
    const results = await Promise.all(
      picked.names!.map((job) => runJobAction(api, job, action, { signal })),
    );
    return c.json({ action, results } satisfies JobActionReport);
  });

  app.post("/api/control/reload", async (c) => c.json(await control.reload()));
  app.post("/api/control/rotate", async (c) => c.json(await control.rotate()));
  app.post("/api/control/shutdown", (c) => {
    const statuses = api.status();
    const report: ShutdownReport = {
      pid: Deno.pid,
      startTime: readProcStat(Deno.pid)?.startTime ?? null,
      running: statuses.filter((s) => s.pid !== null).map((s) => s.name),
      killTimeoutMs: Math.max(0, ...api.config().jobs.map((j) => j.killTimeoutMs)),
    };
    // After the answer has left: the socket closes while sup stops.
    setTimeout(() => control.shutdown("sup shutdown"), 20);
    return c.json(report);
  });
  return app;
}

/** Resolves selectors (`all` and `*` name every job) to job names, or says what names nothing. */
function select(api: SupervisorApi, selectors: string[]): {
  names: string[] | null;
  problems: string[];
} {
  const jobs = api.config().jobs;
  const named = new Set(jobs.map((j) => j.name));
  const normal = selectors.map((s) => s.trim()).filter((s) => s !== "")
    .map((s) => (s === "all" && !named.has("all") ? "*" : s));
  const found = normal.flatMap((s) => {
    const problem = selectorProblem(s, jobs);
    return problem ? [problem.replace(/ \(a selector is .*\)$/, "")] : [];
  });
  return { names: selectJobs(normal, jobs), problems: found };
}

function problems(c: Context, list: string[], after = ""): Response {
  const head = list.length === 1 ? list[0] : `${list.length} problems: ${list.join("; ")}`;
  const error = after ? `${head}; ${after}` : head;
  return c.json({ error: capitalize(error), problems: list } satisfies ControlErrorBody, 404);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Status rows: statuses with memory, CPU, the last heartbeat and health. */
async function rows(
  statuses: JobStatus[],
  parts: ControlRoutesParts,
  health: Map<string, StatusRow["health"]>,
): Promise<StatusRow[]> {
  const groups = new Map<number, number>();
  for (const s of statuses) if (s.pid !== null) groups.set(s.pid, s.startedAt ?? Date.now());
  const usage = await parts.usage?.(groups) ?? new Map();
  return statuses.map((s) => {
    const figures = s.pid === null ? undefined : usage.get(s.pid);
    return {
      ...s,
      rssBytes: figures?.rssBytes ?? null,
      cpuPercent: figures?.cpuPercent ?? null,
      lastHeartbeatAt: s.pid === null ? null : parts.lastHeartbeat?.(s.name) ?? null,
      health: health.get(s.name) ?? null,
    };
  });
}
