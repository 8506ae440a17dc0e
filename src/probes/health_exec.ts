/**
 * A job's `health.exec` check: runs a command with the job's directory,
 * environment, user and limits, in a process group of its own, and passes
 * when it exits 0. The last lines it wrote explain a failure. When the
 * check is aborted (its timeout) the whole group is killed, so a hung
 * command leaves nothing behind. Never throws.
 *
 * @module
 */

import type { ResolvedJob } from "../config/resolved.ts";
import { AuxProcess } from "../core/aux_process.ts";
import { signalGroup } from "../core/process_spawner.ts";
import type { ProbeResult } from "./health_http.ts";

/** Characters of the command's output kept to explain a failure. */
const TAIL_CHARS = 300;

/** Runs `argv` as `job` would run it; resolves once it exited (killed when `signal` aborts). */
export async function probeExec(
  job: ResolvedJob,
  argv: string[],
  signal: AbortSignal,
): Promise<ProbeResult> {
  if (signal.aborted) return { ok: false, reason: abortText(signal) };
  let aux: AuxProcess;
  try {
    aux = new AuxProcess(job, argv);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const kill = () => void aux.stop("SIGKILL", 0).catch(() => {});
  signal.addEventListener("abort", kill, { once: true });
  try {
    const output = Promise.all([tail(aux.process.stdout), tail(aux.process.stderr)]);
    const exit = await aux.exit;
    // What the command left in its group (a daemon holding the pipes) ends with it.
    signalGroup(aux.process.pid, "SIGKILL");
    const out = await within(output, 200, ["", ""]);
    if (signal.aborted) return { ok: false, reason: abortText(signal) };
    if (exit.code === 0) return { ok: true };
    const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
    const said = (out[1] || out[0]).trim().split("\n").pop()?.trim() ?? "";
    return { ok: false, reason: said ? `${how}: ${said}` : how };
  } finally {
    signal.removeEventListener("abort", kill);
  }
}

/** Reads a stream to its end, keeping its last characters. */
async function tail(stream: ReadableStream<Uint8Array> | null): Promise<string> {
  if (stream === null) return "";
  let kept = "";
  try {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      kept = (kept + text).slice(-TAIL_CHARS);
    }
  } catch {
    // The group was killed mid-write: what was read is enough.
  }
  return kept;
}

/** `promise`'s value, or `fallback` when it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>((resolve) => timer = setTimeout(() => resolve(fallback), ms));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function abortText(signal: AbortSignal): string {
  const reason = signal.reason;
  return reason instanceof Error ? reason.message : String(reason ?? "aborted");
}
