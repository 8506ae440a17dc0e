/**
 * The guardian of `sup run --guardian` (immortal's daemon strategy): a small
 * process that starts sup, copies its output line by line into sup's output
 * log (rotated), and starts it again when it dies, logging why: the exit
 * code or signal, how long it ran, and the last lines sup wrote on stderr
 * (immortal's "why" and "message"). The new sup ends the jobs the dead one
 * left (orphan cleanup, by process group) before it starts them, so no job
 * ever runs twice.
 *
 * The guardian ends when sup is stopped on purpose: sup exits 0 only then
 * (`sup shutdown`, SIGTERM to sup); SIGTERM or SIGINT to the guardian is
 * passed on to sup, which stops its jobs and exits, and the guardian
 * follows. SIGHUP is passed on (reload), and so is SIGUSR1 (sup reopens its
 * files; the guardian rotates the output log). If sup fails before it was
 * ever up (its pid file written), the guardian gives up at once: that is a
 * config or start-up error the user must see.
 *
 * @module
 */

import { LineSplitter } from "../core/line_splitter.ts";
import { RingBuffer } from "../core/ring_buffer.ts";
import { RotatingFile } from "../core/rotating_file.ts";
import { readPidFile, removePidFile, writePidFile } from "./detach.ts";

/** How the guardian runs sup. */
export interface GuardianOptions {
  /** argv of `sup run ... --pid-file <pidFile>`. */
  command: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** sup's output log, written by the guardian (rotated by size, gzipped). */
  log: string;
  /** Size and count of the output log's rotated files. */
  limits: { maxBytes: number; maxFiles: number };
  /** The pid file sup writes once it is up. */
  pidFile: string;
  /** The guardian's own pid file. */
  guardianPidFile: string;
  /** First delay before a restart, doubled after each quick death. @default 1 s */
  backoffInitialMs?: number;
  /** Longest delay before a restart. @default 60 s */
  backoffMaxMs?: number;
  /** A sup that ran this long resets the delay. @default 60 s */
  resetAfterMs?: number;
  /** stderr lines kept to explain a death. @default 20 */
  stderrTailLines?: number;
}

/** Runs sup and restarts it; see the module doc. */
export class Guardian {
  #options: GuardianOptions;
  #file: RotatingFile;
  #child: Deno.ChildProcess | null = null;
  #stopping = false;
  #wake: (() => void) | null = null;
  #stderrTail: RingBuffer;
  /** The copies of the current sup's stdout and stderr into the log. */
  #captures: Promise<unknown> = Promise.resolve();

  /** A guardian for `options` (nothing runs before `run()`). */
  constructor(options: GuardianOptions) {
    this.#options = options;
    this.#file = new RotatingFile(options.log, {
      maxBytes: options.limits.maxBytes,
      maxFiles: options.limits.maxFiles,
      daily: false,
      mode: 0o600,
      onError: (error) => console.error(`sup guardian: output log "${options.log}": ${error}`),
    });
    this.#stderrTail = new RingBuffer(options.stderrTailLines ?? 20);
  }

  /**
   * Starts sup and keeps it running; resolves with the guardian's exit
   * code: 0 once sup was stopped on purpose, 1 when it never came up.
   */
  async run(): Promise<number> {
    const o = this.#options;
    writePidFile(o.guardianPidFile);
    const signals: [Deno.Signal, () => void][] = [
      ["SIGTERM", () => this.stop("SIGTERM")],
      ["SIGINT", () => this.stop("SIGTERM")],
      ["SIGHUP", () => this.#forward("SIGHUP")],
      ["SIGUSR1", () => {
        this.#forward("SIGUSR1");
        void this.#file.reopenOrRotate();
      }],
    ];
    for (const [signal, handler] of signals) Deno.addSignalListener(signal, handler);
    try {
      return await this.#loop();
    } finally {
      for (const [signal, handler] of signals) Deno.removeSignalListener(signal, handler);
      removePidFile(o.guardianPidFile);
      await this.#file.close();
    }
  }

  /** Stops sup with `signal` and ends the guardian once it has exited. */
  stop(signal: Deno.Signal = "SIGTERM"): void {
    this.#stopping = true;
    this.#forward(signal);
    this.#wake?.();
  }

  async #loop(): Promise<number> {
    const o = this.#options;
    const initial = o.backoffInitialMs ?? 1_000;
    let delay = initial;
    let everUp = false;
    this.#log("INF", `Guardian ${Deno.pid} starting sup: ${o.command.join(" ")}`);
    while (!this.#stopping) {
      const started = Date.now();
      this.#stderrTail.clear();
      const child = this.#spawn();
      if (child === null) return 1;
      const up = this.#watchUp(child.pid).then((seen) => everUp ||= seen);
      const status = await child.status;
      this.#child = null;
      await Promise.all([up, this.#captures]);
      const ranMs = Date.now() - started;
      if (status.success) {
        this.#log("INF", `sup ${child.pid} stopped on purpose (exit code 0): the guardian ends`);
        return 0;
      }
      const how = status.signal
        ? `was killed by ${status.signal}`
        : `exited with code ${status.code}`;
      const tail = this.#stderrTail.tail();
      const why = tail.length
        ? `\n  its last lines on stderr:\n${tail.map((l) => `    ${l}`).join("\n")}`
        : "\n  it wrote nothing on stderr";
      if (this.#stopping) {
        this.#log("INF", `sup ${child.pid} ${how} while stopping: the guardian ends`);
        return 0;
      }
      if (!everUp) {
        this.#log("ERR", `sup ${child.pid} ${how} before it was up: giving up${why}`);
        return 1;
      }
      if (ranMs >= (o.resetAfterMs ?? 60_000)) delay = initial;
      const again = `starting it again in ${seconds(delay)}`;
      this.#log("WRN", `sup ${child.pid} ${how} after ${seconds(ranMs)}; ${again}${why}`);
      await this.#sleep(delay);
      delay = Math.min(delay * 2, o.backoffMaxMs ?? 60_000);
    }
    return 0;
  }

  #spawn(): Deno.ChildProcess | null {
    const o = this.#options;
    try {
      const child = new Deno.Command(o.command[0], {
        args: o.command.slice(1),
        cwd: o.cwd,
        env: o.env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      this.#child = child;
      this.#captures = Promise.all([
        this.#copy(child.stdout, false),
        this.#copy(child.stderr, true),
      ]);
      return child;
    } catch (error) {
      this.#log("ERR", `Cannot start sup (${o.command[0]}): ${error}`);
      return null;
    }
  }

  /** Copies a stream of sup's into the log, whole lines at a time; stderr also to the tail. */
  async #copy(stream: ReadableStream<Uint8Array>, stderr: boolean): Promise<void> {
    const encoder = new TextEncoder();
    const splitter = new LineSplitter((line) => {
      this.#file.write(encoder.encode(`${line}\n`));
      if (stderr) this.#stderrTail.push(line);
    });
    try {
      for await (const chunk of stream) {
        splitter.write(chunk);
        splitter.settle();
      }
    } catch {
      // The pipe broke: sup is gone.
    }
    splitter.end();
  }

  /** Resolves true once sup's pid file names `pid` (sup is up), false if `pid` ended first. */
  async #watchUp(pid: number): Promise<boolean> {
    const o = this.#options;
    while (this.#child?.pid === pid) {
      if (readPidFile(o.pidFile) === pid) {
        this.#log("INF", `sup ${pid} is up`);
        return true;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return readPidFile(o.pidFile) === pid;
  }

  #forward(signal: Deno.Signal): void {
    try {
      this.#child?.kill(signal);
    } catch {
      // Already gone.
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  /** A line in the output log, in the format of sup's own text log. */
  #log(level: "INF" | "WRN" | "ERR", message: string): void {
    const time = new Date().toISOString().replace("T", " ").replace("Z", "");
    const text = `${time} [${level}] sup·guardian: ${message}\n`;
    this.#file.write(new TextEncoder().encode(text));
  }
}

function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${(ms / 60_000).toFixed(1)}min`;
}
