/**
 * Dumps a core of a hung job's process before it is restarted (superlance
 * httpok's `-d`/`-g`): runs `<gcore...> <coreDir>/<job> <pid>` (gdb's
 * `gcore -o <prefix> <pid>` writes `<prefix>.<pid>`) and returns what it
 * printed, for the notification. Bounded in time; never throws.
 *
 * @module
 */

import { join } from "node:path";

/** What a gcore run produced. */
export interface CoreDump {
  /** The core file gcore was asked to write (`<coreDir>/<job>.<pid>`). */
  file: string;
  /** True when gcore exited 0. */
  ok: boolean;
  /** Its stdout and stderr (the last 4000 characters), or why it could not run. */
  output: string;
  /** How long it took. */
  ms: number;
}

/** The default gcore command (superlance's `/usr/bin/gcore -o`, found on PATH). */
export const DEFAULT_GCORE = ["gcore", "-o"];

/** Characters of gcore's output kept. */
const OUTPUT_CHARS = 4000;

/**
 * Runs `gcore` (argv, e.g. `["gcore", "-o"]`) on `pid`, writing into
 * `coreDir` (created when missing) under the job's name. Killed after
 * `timeoutMs` (a very large process takes a while to dump).
 */
export async function dumpCore(
  gcore: readonly string[],
  coreDir: string,
  job: string,
  pid: number,
  timeoutMs = 120_000,
): Promise<CoreDump> {
  const started = performance.now();
  const prefix = join(coreDir, job);
  const file = `${prefix}.${pid}`;
  const done = (ok: boolean, output: string): CoreDump => ({
    file,
    ok,
    output: output.slice(-OUTPUT_CHARS),
    ms: Math.round(performance.now() - started),
  });
  try {
    await Deno.mkdir(coreDir, { recursive: true });
  } catch (error) {
    return done(false, `cannot create "${coreDir}": ${message(error)}`);
  }
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(gcore[0], {
      args: [...gcore.slice(1), prefix, String(pid)],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    return done(false, `cannot run ${JSON.stringify(gcore[0])}: ${message(error)}`);
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Ended meanwhile.
    }
  }, timeoutMs);
  try {
    const out = await child.output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    if (out.signal === "SIGKILL") return done(false, `${text}\ngcore killed after ${timeoutMs}ms`);
    if (out.code !== 0) return done(false, `${text}\ngcore exited with code ${out.code}`);
    return done(true, text);
  } catch (error) {
    return done(false, message(error));
  } finally {
    clearTimeout(timer);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
