/**
 * Metrics: what `GET /metrics` costs sup at 100 and 500 jobs. Two sups with
 * the same N sleeping jobs are launched together and settle (past their
 * start-up timers and V8's post-start collections); then, for a window of
 * 60 s, one is scraped every second (request → last byte of the response,
 * timed here) and the other never, and both RSS are read every second. The
 * first scrape, which loads the exporter, is timed apart (and its memory is
 * in the figures). Comparing two sups at the same age, rather than one sup
 * before and after, matters: a sup nobody scrapes drops by 5-10 MiB in its
 * first minute, when V8's memory reducer shrinks the heap grown at start-up.
 *
 * RSS is reported whole and split: anonymous memory (what sup holds: V8's
 * heap, malloc) and file pages (the executable's code the scrape's path
 * paged in: clean, shared, dropped by the kernel under pressure). Growth is
 * the scraped sup against the unscraped one over the window, by their
 * medians, their maxima and their last samples.
 *
 * `--metrics-base=REV` also measures sup at git revision REV (extracted
 * with `git archive` into the temp dir, run from source the same way),
 * pair by pair alternating with this tree, so both see the same machine.
 *
 * Run alone: `deno run -A bench/metrics_bench.ts [--quick] [--metrics-base=REV]`;
 * in `deno task bench` with `--only=metrics`. --quick: 20 s windows.
 *
 * @module
 */

import { monoMs, sleep } from "./lib/clock.ts";
import type { BenchContext } from "./lib/context.ts";
import { findSup, type PeerInfo, repoRoot } from "./lib/peers.ts";
import { openSession, type Session, stampJob } from "./lib/session.ts";
import { waitForStamps } from "./lib/stamp.ts";
import { summarize, type Summary } from "./lib/stats.ts";
import { SupTarget } from "./lib/sup_target.ts";

const JOB_COUNTS = [100, 500];

/** RSS of one process, MiB. */
interface Rss {
  rss: number;
  anon: number;
  file: number;
}

/** One window's RSS samples (MiB): median, max and the last sample, whole and split. */
export interface RssWindow {
  rss: { median: number; max: number; last: number };
  anon: { median: number; max: number; last: number };
  file: { median: number; max: number; last: number };
}

/** The figures of one pair of launches. */
export interface MetricsLaunch {
  /** "this tree" or the base revision. */
  sup: string;
  jobs: number;
  /** Length of the window, s. */
  windowSeconds: number;
  /** The sup nobody scrapes. */
  unscraped: RssWindow;
  /** The sup scraped every second. */
  scraped: RssWindow;
  /** Scraped − unscraped, MiB, by their medians, maxima and last samples. */
  growth: { median: Rss; max: Rss; last: Rss } | null;
  /** The first scrape (loads the exporter), ms. */
  firstScrapeMs: number;
  /** Request → last byte, ms, over the window (first scrape excluded). */
  scrapeMs: Summary;
  /** Body of the last scrape: bytes and samples. */
  bodyBytes: number;
  samples: number;
  errors: string[];
}

/** What the bench reports. */
export interface MetricsBenchResult {
  launches: MetricsLaunch[];
}

function readRss(pid: number): Rss | undefined {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1]);
    return { rss: kb("VmRSS") / 1024, anon: kb("RssAnon") / 1024, file: kb("RssFile") / 1024 };
  } catch {
    return undefined;
  }
}

function window(samples: Rss[]): RssWindow {
  const part = (key: keyof Rss) => {
    const values = samples.map((s) => s[key]);
    const s = summarize(values);
    return { median: s.median, max: s.max, last: values.at(-1) ?? NaN };
  };
  return { rss: part("rss"), anon: part("anon"), file: part("file") };
}

function growth(before: RssWindow, after: RssWindow): MetricsLaunch["growth"] {
  const by = (stat: "median" | "max" | "last"): Rss => ({
    rss: after.rss[stat] - before.rss[stat],
    anon: after.anon[stat] - before.anon[stat],
    file: after.file[stat] - before.file[stat],
  });
  return { median: by("median"), max: by("max"), last: by("last") };
}

/** sup at git revision `rev`, run from source like this tree's `deno run`. */
async function baseSup(ctx: BenchContext, rev: string, current: PeerInfo): Promise<PeerInfo> {
  const dir = await ctx.dir(`metrics-base-${rev.replace(/[^\w.-]/g, "_")}`);
  const archive = new Deno.Command("sh", {
    args: ["-c", 'git -C "$1" archive "$2" | tar -x -C "$3"', "sh", repoRoot(), rev, dir],
    stderr: "piped",
  });
  const out = await archive.output();
  if (!out.success) {
    throw new Error(`git archive ${rev}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  const commit = new TextDecoder().decode(
    (await new Deno.Command("git", { args: ["-C", repoRoot(), "rev-parse", "--short", rev] })
      .output()).stdout,
  ).trim();
  await new Deno.Command(Deno.execPath(), {
    args: ["cache", `${dir}/main.ts`],
    cwd: dir,
    stdout: "null",
    stderr: "inherit",
  }).output();
  const argv = [...current.argv.slice(0, -1), `${dir}/main.ts`];
  return { argv, version: `base ${commit}` };
}

/** Scrapes once; returns the time to the last byte and the body. */
async function scrape(url: string): Promise<{ ms: number; body: string }> {
  const t0 = monoMs();
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  const ms = monoMs() - t0;
  if (response.status !== 200) throw new Error(`GET /metrics: ${response.status} ${body}`);
  return { ms, body };
}

/** Launches sup with `jobs` sleeping jobs and waits until they all run; returns the session and its /metrics URL. */
async function launch(ctx: BenchContext, target: SupTarget, label: string, jobs: number) {
  const session = await openSession(
    ctx,
    target,
    label,
    (_dir, stampFile) =>
      Array.from({ length: jobs }, (_, i) => ({
        name: `sleep-${i}`,
        cmd: stampJob(ctx, stampFile, `sleep-${i}`),
      })),
  );
  const config = JSON.parse(await Deno.readTextFile(`${session.dir}/sup.json`));
  return { session, url: `http://127.0.0.1:${config.network.http.port}/metrics` };
}

/**
 * Two sups with the same jobs, launched together: one is never scraped,
 * the other is scraped every second through the window; both RSS are read
 * every second, so the two are compared at the same age on the same machine
 * (sup's RSS moves by several MiB over a minute with nothing scraping it, as
 * V8's old generation grows and is collected).
 */
async function measure(
  ctx: BenchContext,
  target: SupTarget,
  label: string,
  jobs: number,
): Promise<MetricsLaunch> {
  const seconds = ctx.options.quick ? 20 : 60;
  const result: MetricsLaunch = {
    sup: label,
    jobs,
    windowSeconds: seconds,
    unscraped: window([]),
    scraped: window([]),
    growth: null,
    firstScrapeMs: NaN,
    scrapeMs: summarize([]),
    bodyBytes: 0,
    samples: 0,
    errors: [],
  };
  const sessions: Session[] = [];
  try {
    const quiet = await launch(ctx, target, `metrics${jobs}-unscraped`, jobs);
    sessions.push(quiet.session);
    const busy = await launch(ctx, target, `metrics${jobs}-scraped`, jobs);
    sessions.push(busy.session);
    for (const s of sessions) await waitForStamps(s.stampFile, jobs, 120_000, 20);
    await sleep(ctx.options.quick ? 10_000 : 20_000);
    result.firstScrapeMs = (await scrape(busy.url)).ms;
    ctx.log(`metrics: ${label}, ${jobs} jobs: ${seconds} s, one sup scraped every second`);
    const quietRss: Rss[] = [];
    const busyRss: Rss[] = [];
    const times: number[] = [];
    let body = "";
    const start = monoMs();
    for (let i = 0; i < seconds; i++) {
      const s = await scrape(busy.url);
      times.push(s.ms);
      body = s.body;
      const [q, b] = [readRss(quiet.session.running.pid), readRss(busy.session.running.pid)];
      if (q && b) {
        quietRss.push(q);
        busyRss.push(b);
      }
      await sleep(Math.max(0, start + (i + 1) * 1000 - monoMs()));
    }
    result.unscraped = window(quietRss);
    result.scraped = window(busyRss);
    result.growth = growth(result.unscraped, result.scraped);
    result.scrapeMs = summarize(times);
    result.bodyBytes = new TextEncoder().encode(body).byteLength;
    result.samples = body.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length;
    const u = result.unscraped.rss, b = result.scraped.rss;
    ctx.log(
      `metrics: ${label}, ${jobs} jobs: RSS unscraped median ${u.median.toFixed(1)} max ${
        u.max.toFixed(1)
      } MiB, scraped median ${b.median.toFixed(1)} max ${b.max.toFixed(1)} MiB; scrape median ${
        result.scrapeMs.median.toFixed(1)
      } ms, p90 ${result.scrapeMs.p90.toFixed(1)} ms`,
    );
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    result.errors.push(message);
    const tails = sessions.map((s) => s.logTail()).join("\n");
    ctx.log(`metrics: ${label}, ${jobs} jobs: ${message}\n${tails}`);
  } finally {
    for (const s of sessions) await s.end();
  }
  return result;
}

/** Measures this tree's sup (and the base revision's, alternating, with `--metrics-base`). */
export async function runMetricsBench(ctx: BenchContext): Promise<MetricsBenchResult> {
  const { source, supBin, supV8Flags, metricsBase } = ctx.options;
  // With a base, both run from source the same way; alone, as the other benches run sup.
  const current = await findSup(source || metricsBase !== undefined, supBin, supV8Flags);
  const variants: { label: string; target: SupTarget }[] = [];
  if (metricsBase !== undefined) {
    const base = await baseSup(ctx, metricsBase, current);
    variants.push({ label: base.version, target: new SupTarget(base, ctx.stamp.marker) });
  }
  variants.push({ label: "this tree", target: new SupTarget(current, ctx.stamp.marker) });
  const launches: MetricsLaunch[] = [];
  for (const jobs of JOB_COUNTS) {
    for (const { label, target } of variants) {
      launches.push(await measure(ctx, target, label, jobs));
    }
  }
  console.error(table(launches));
  return { launches };
}

/** A Markdown table of the launches (also printed when the bench runs). */
export function table(launches: MetricsLaunch[]): string {
  const f = (n: number, digits = 1) => Number.isFinite(n) ? n.toFixed(digits) : "–";
  const rows = [
    "| sup | jobs | RSS unscraped, median / max (MiB) | RSS scraped 1/s, median / max (MiB) | growth, median / max (MiB) | of which anon / file, median (MiB) | scrape median / p90 / max (ms) | first scrape (ms) | body (KB, samples) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const l of launches) {
    const u = l.unscraped.rss, s = l.scraped.rss, g = l.growth;
    const cells = [
      l.sup,
      String(l.jobs),
      `${f(u.median)} / ${f(u.max)}`,
      `${f(s.median)} / ${f(s.max)}`,
      g ? `${f(g.median.rss)} / ${f(g.max.rss)}` : "–",
      g ? `${f(g.median.anon)} / ${f(g.median.file)}` : "–",
      `${f(l.scrapeMs.median)} / ${f(l.scrapeMs.p90)} / ${f(l.scrapeMs.max)}`,
      f(l.firstScrapeMs, 0),
      `${f(l.bodyBytes / 1000, 0)}, ${l.samples}`,
    ];
    rows.push(`| ${cells.join(" | ")} |`);
  }
  return rows.join("\n");
}

if (import.meta.main) {
  const { standalone } = await import("./lib/standalone.ts");
  await standalone(["metrics"], runMetricsBench);
}
