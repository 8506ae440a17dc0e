/**
 * The `stamp` child program (bench/fixtures/stamp.c, or stamp.pl when no C
 * compiler is found) and the stamp files it appends to.
 *
 * @module
 */

import { pollUntil } from "./clock.ts";

/** A ready-to-run stamp program. */
export interface StampHelper {
  /** argv prefix that runs the helper (append FILE TAG [exit|floor]). */
  argv: string[];
  /** "c" (compiled, static or dynamic) or "perl" (slower start-up, see README). */
  kind: "c-static" | "c-dynamic" | "perl";
  /** A string found in the command line of every process the helper starts. */
  marker: string;
}

/** One line of a stamp file. */
export interface Stamp {
  /** The tag given on the command line (usually the job name). */
  tag: string;
  /** Pid of the process that wrote the line. */
  pid: number;
  /** CLOCK_MONOTONIC at start of the process's main(), in milliseconds. */
  ms: number;
}

const fixtures = new URL("../fixtures/", import.meta.url);

async function tryRun(cmd: string, args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
    return out.success;
  } catch {
    return false;
  }
}

/**
 * Compiles stamp.c into `dir` (static first, then dynamic) with the first of
 * `cc`, `gcc`, `clang` that works; falls back to stamp.pl under perl.
 */
export async function buildStamp(dir: string): Promise<StampHelper> {
  const src = new URL("stamp.c", fixtures).pathname;
  const out = `${dir}/stamp`;
  for (const cc of ["cc", "gcc", "clang"]) {
    if (await tryRun(cc, ["-O2", "-static", "-o", out, src])) {
      return { argv: [out], kind: "c-static", marker: out };
    }
    if (await tryRun(cc, ["-O2", "-o", out, src])) {
      return { argv: [out], kind: "c-dynamic", marker: out };
    }
  }
  const pl = `${dir}/stamp.pl`;
  await Deno.copyFile(new URL("stamp.pl", fixtures).pathname, pl);
  return { argv: ["perl", pl], kind: "perl", marker: pl };
}

/** Parses the lines of a stamp file (a partial last line is ignored). */
export function parseStamps(text: string): Stamp[] {
  const stamps: Stamp[] = [];
  // Only lines ended by "\n": whatever follows the last one may be half written.
  for (const line of text.split("\n").slice(0, -1)) {
    const [tag, pid, ns] = line.split(" ");
    if (ns === undefined || !/^\d+$/.test(ns)) continue;
    stamps.push({ tag, pid: Number(pid), ms: Number(ns) / 1e6 });
  }
  return stamps;
}

/** The stamps in `file` so far (none when it does not exist yet). */
export async function readStamps(file: string): Promise<Stamp[]> {
  try {
    return parseStamps(await Deno.readTextFile(file));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

/** Waits until `file` holds at least `count` stamps; returns them. */
export function waitForStamps(
  file: string,
  count: number,
  timeoutMs: number,
  intervalMs = 2,
): Promise<Stamp[]> {
  return pollUntil(
    `${count} start stamps in ${file}`,
    async () => {
      const s = await readStamps(file);
      return s.length >= count ? s : undefined;
    },
    timeoutMs,
    intervalMs,
  );
}

/**
 * Measures the exec floor: the stamp helper forks and execs itself and the
 * child stamps; the median gap is the least any supervisor's restart can take
 * with this child on this machine.
 */
export async function execFloorMs(helper: StampHelper, file: string, trials: number) {
  const gaps: number[] = [];
  for (let i = 0; i < trials; i++) {
    const tag = `floor${i}`;
    await new Deno.Command(helper.argv[0], {
      args: [...helper.argv.slice(1), file, tag, "floor"],
      stdout: "null",
      stderr: "null",
    }).output();
    const stamps = await readStamps(file);
    const t0 = stamps.find((s) => s.tag === `${tag}-t0`);
    const t1 = stamps.find((s) => s.tag === tag);
    if (t0 && t1) gaps.push(t1.ms - t0.ms);
  }
  return gaps;
}
