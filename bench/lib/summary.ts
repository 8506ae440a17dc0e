/**
 * The headline figures of a bench run, one row per figure with a value per
 * supervisor, sup's goal, and sup's ratio to each peer measured in the run.
 *
 * @module
 */

import type { LogResults } from "../log_throughput.ts";
import type { RestartResults } from "../restart_latency.ts";
import type { ScaleResult } from "../scale.ts";
import { ratio } from "./stats.ts";
import { fmt, markdownTable, textTable } from "./table.ts";

/** One headline figure. */
export interface SummaryRow {
  /** What is measured, with its unit. */
  figure: string;
  /** sup's goal, in words ("< 3"), if it has one. */
  goal?: string;
  /** Whether sup met the goal (undefined: no goal or no figure). */
  met?: boolean;
  /** The figure per supervisor name. */
  values: Record<string, number | undefined>;
}

/** Everything `deno task bench` measured. */
export interface RunResults {
  /** Restart latency, when run. */
  restart?: RestartResults;
  /** Scale, when run. */
  scale?: ScaleResult[];
  /** Log throughput, when run. */
  log?: LogResults;
}

const MiB = 2 ** 20;

function goal(value: number | undefined, test: (v: number) => boolean): boolean | undefined {
  return value === undefined || !Number.isFinite(value) ? undefined : test(value);
}

/** The headline rows of `r`. */
export function summaryRows(r: RunResults): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const by = <T extends { target: string }>(list: T[], f: (x: T) => number | undefined) =>
    Object.fromEntries(list.map((x) => [x.target, f(x)]));
  if (r.restart) {
    const med = by(r.restart.results, (x) => x.summary.median);
    rows.push({
      figure: "restart latency, median (ms)",
      goal: "< 3",
      met: goal(med.sup, (v) => v < 3),
      values: med,
    });
    rows.push({
      figure: "restart latency, p90 (ms)",
      values: by(r.restart.results, (x) => x.summary.p90),
    });
  }
  if (r.scale) {
    const s = r.scale;
    const rss = (n: number) => by(s, (x) => (x.rssBytes[n] ?? NaN) / MiB);
    rows.push({ figure: "RSS with 1 job (MiB)", values: rss(1) });
    const r100 = rss(100);
    rows.push({
      figure: "RSS with 100 jobs (MiB)",
      goal: "< 50",
      met: goal(r100.sup, (v) => v < 50),
      values: r100,
    });
    const r500 = rss(500);
    rows.push({
      figure: "RSS with 500 jobs (MiB)",
      goal: "< 60",
      met: goal(r500.sup, (v) => v < 60),
      values: r500,
    });
    const idle = by(
      s,
      (x) => x.idleCpuSeconds === undefined ? undefined : x.idleCpuSeconds * 60 / x.idleSeconds,
    );
    rows.push({
      figure: "CPU idle with 100 jobs (s per 60 s)",
      goal: "< 0.05",
      met: goal(idle.sup, (v) => v < 0.05),
      values: idle,
    });
    const start = by(s, (x) => x.start100Ms.median / 1000);
    rows.push({
      figure: "launch → 100 jobs running, median (s)",
      goal: "< 0.25",
      met: goal(start.sup, (v) => v < 0.25),
      values: start,
    });
    const stop = by(s, (x) => x.stop100Ms.median / 1000);
    rows.push({
      figure: "stop → supervisor + 100 jobs gone, median (s)",
      goal: "< 0.3",
      met: goal(stop.sup, (v) => v < 0.3),
      values: stop,
    });
    rows.push({
      figure: "launch → 500 jobs running (s)",
      values: by(s, (x) => x.startMsByCount[500] / 1000),
    });
    rows.push({
      figure: "stop → 500 jobs gone (s)",
      values: by(s, (x) => x.stopMsByCount[500] / 1000),
    });
  }
  if (r.log) {
    const sup = r.log.results.filter((x) => x.version !== "");
    const devnull = r.log.results.find((x) => x.setup === "direct → /dev/null")?.summary.median;
    const file = r.log.results.find((x) => x.setup === "direct → file")?.summary.median;
    const rate = Object.fromEntries(sup.map((x) => [x.setup, x.summary.median]));
    rows.push({ figure: "log throughput to a file, median (MiB/s)", values: rate });
    const vsNull = Object.fromEntries(sup.map((x) => [x.setup, ratio(x.summary.median, devnull)]));
    rows.push({
      figure: `… ÷ same writer → /dev/null (${fmt(devnull, 0)} MiB/s)`,
      goal: "≥ 0.5",
      met: goal(vsNull.sup, (v) => v >= 0.5),
      values: vsNull,
    });
    rows.push({
      figure: `… ÷ same writer → file directly (${fmt(file, 0)} MiB/s)`,
      values: Object.fromEntries(sup.map((x) => [x.setup, ratio(x.summary.median, file)])),
    });
  }
  return rows;
}

function cells(rows: SummaryRow[], names: string[]): { headers: string[]; body: string[][] } {
  const peers = names.filter((n) => n !== "sup");
  const headers = ["figure", ...names, "sup goal", "met", ...peers.map((p) => `sup ÷ ${p}`)];
  const body = rows.map((row) => [
    row.figure,
    ...names.map((n) => fmt(row.values[n])),
    row.goal ?? "",
    row.met === undefined ? "" : row.met ? "yes" : "NO",
    ...peers.map((p) => {
      const q = ratio(row.values.sup, row.values[p]);
      return Number.isFinite(q) && !row.figure.startsWith("…") ? `${fmt(q)}×` : "";
    }),
  ]);
  return { headers, body };
}

/** The rows as an aligned text table over supervisors `names` (sup first). */
export function summaryText(rows: SummaryRow[], names: string[]): string {
  const { headers, body } = cells(rows, names);
  return textTable(headers, body);
}

/** The rows as a Markdown table over supervisors `names` (sup first). */
export function summaryMarkdown(rows: SummaryRow[], names: string[]): string {
  const { headers, body } = cells(rows, names);
  return markdownTable(headers, body);
}
