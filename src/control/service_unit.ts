/**
 * The systemd unit that runs a sup as a service (`sup service install`):
 * what it says and why, where it goes, and how long systemd should wait for
 * sup to stop its jobs. Pure: the command (`cli/service_cmd.ts`) writes the
 * file and calls `systemctl`.
 *
 * The choices, explained in the README ("Service managers"):
 * - `KillMode=mixed`: on stop systemd sends SIGTERM to sup only; sup stops
 *   its jobs itself, dependents first, each with its own kill signal and
 *   timeout, by process group. After `TimeoutStopSec` systemd SIGKILLs
 *   whatever is left in the unit's cgroup, so nothing outlives the service.
 *   (`control-group` would signal every job at once and skip sup's stop
 *   order; `process` would leave jobs running if sup hung.)
 * - `Restart=on-failure`: sup exits 0 only when asked to stop (SIGTERM,
 *   `sup shutdown`), so a crash or a kill is restarted and a stop is not; the
 *   new sup ends the jobs the dead one left (orphan cleanup) before starting
 *   them again.
 * - `TimeoutStopSec`: the longest chain of `after` dependencies, each job's
 *   kill timeout plus the 2 s sup gives it, plus sup's own bounded waits,
 *   plus a margin: systemd never SIGKILLs a sup that is still stopping its
 *   jobs in order.
 * - `Type=exec`: `systemctl start` fails at once when sup cannot be
 *   executed.
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";

/** What a unit is made of. */
export interface UnitSpec {
  /** The unit's name without `.service`, e.g. "sup-kiosk". */
  name: string;
  /** The config the service runs (absolute; a comma-separated list runs in the first one's folder). */
  config: string;
  /** The mode (`sup run <config> <mode>`), if any. */
  mode?: string;
  /** How to start sup: the binary, or `deno run -A main.ts`. */
  command: string[];
  /** A user unit (`systemctl --user`) rather than a system one. */
  user: boolean;
  /** Seconds systemd waits for sup to stop (`stopTimeoutSeconds`). */
  stopTimeoutSeconds: number;
  /** Extra environment of sup (e.g. `PATH`, so jobs find their commands). */
  environment?: Record<string, string>;
}

/** sup's own bounded waits when stopping, besides its jobs (reloads, output, listeners). */
const SUP_STOP_OVERHEAD_MS = 7_000;
/** Slack on top, in seconds. */
const STOP_MARGIN_SECONDS = 10;
/** What sup gives each job beyond its kill timeout before moving on (stop_order.ts). */
const PER_JOB_SLACK_MS = 2_000;

/**
 * How long stopping `config` may take at most, in whole seconds: the
 * longest chain of jobs that must stop one after the other (a job stops
 * after the jobs that run `after` it), each taking its kill timeout plus
 * slack, plus sup's own waits and a margin.
 */
export function stopTimeoutSeconds(config: Pick<ResolvedConfig, "jobs">): number {
  const byName = new Map(config.jobs.map((job) => [job.name, job]));
  const chain = new Map<string, number>();
  const visiting = new Set<string>();
  // The longest time from asking `name` to stop until it is gone: its dependents first.
  const longest = (name: string): number => {
    const known = chain.get(name);
    if (known !== undefined) return known;
    const job = byName.get(name);
    if (!job || visiting.has(name)) return 0; // a cycle is rejected by validation anyway
    visiting.add(name);
    const dependents = config.jobs.filter((other) => other.after.includes(name));
    const before = Math.max(0, ...dependents.map((d) => longest(d.name)));
    visiting.delete(name);
    const total = before + job.killTimeoutMs + PER_JOB_SLACK_MS;
    chain.set(name, total);
    return total;
  };
  const jobsMs = Math.max(0, ...config.jobs.map((job) => longest(job.name)));
  return Math.ceil((jobsMs + SUP_STOP_OVERHEAD_MS) / 1000) + STOP_MARGIN_SECONDS;
}

/** The unit file's text. */
export function renderUnit(spec: UnitSpec): string {
  const argv = [...spec.command, "run", spec.config, ...(spec.mode ? [spec.mode] : [])];
  const lines = [
    "# Written by `sup service install`; `sup service uninstall` removes it.",
    "[Unit]",
    `Description=${escapeSpecifiers(`sup: ${spec.config}`)}`,
  ];
  if (!spec.user) lines.push("After=network-online.target", "Wants=network-online.target");
  lines.push(
    "",
    "[Service]",
    "Type=exec",
    `ExecStart=${argv.map(quoteArgument).join(" ")}`,
    "ExecReload=/bin/kill -HUP $MAINPID",
    `WorkingDirectory=${escapeSpecifiers(dirOf(spec.config.split(",")[0]))}`,
    ...Object.entries(spec.environment ?? {}).map(([key, value]) =>
      `Environment=${quoteWord(escapeSpecifiers(`${key}=${value}`))}`
    ),
    "Environment=NO_COLOR=1",
    "KillMode=mixed",
    "KillSignal=SIGTERM",
    `TimeoutStopSec=${spec.stopTimeoutSeconds}s`,
    "Restart=on-failure",
    "RestartSec=1s",
    "",
    "[Install]",
    `WantedBy=${spec.user ? "default.target" : "multi-user.target"}`,
    "",
  );
  return lines.join("\n");
}

/** Where the unit file of `name` goes: `/etc/systemd/system`, or the user's systemd folder. */
export function unitPath(
  name: string,
  user: boolean,
  env: (key: string) => string | undefined = (key) => Deno.env.get(key),
): string {
  if (!user) return `/etc/systemd/system/${name}.service`;
  const config = env("XDG_CONFIG_HOME") || `${env("HOME") ?? ""}/.config`;
  return `${config}/systemd/user/${name}.service`;
}

/** The unit name of the sup named `supName`: `sup-<name>`, other characters than `[A-Za-z0-9_.-]` as `-`. */
export function unitName(supName: string): string {
  return `sup-${supName.replace(/[^A-Za-z0-9_.-]/g, "-")}`;
}

/**
 * One `ExecStart=` word: `%` and `$` doubled (systemd's specifiers and
 * variables), quoted when it holds a space, a quote or a backslash.
 */
export function quoteArgument(word: string): string {
  return quoteWord(escapeSpecifiers(word).replace(/\$/g, "$$$$"));
}

/** Quotes a word when it holds a space, a quote or a backslash (`Environment=` expands no `$`). */
function quoteWord(word: string): string {
  if (word !== "" && !/[\s"'\\]/.test(word)) return word;
  return `"${word.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function escapeSpecifiers(text: string): string {
  return text.replace(/%/g, "%%");
}

function dirOf(path: string): string {
  const at = path.lastIndexOf("/");
  return at <= 0 ? "/" : path.slice(0, at);
}
