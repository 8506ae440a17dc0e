/**
 * The plumbing of `sup run`: reloads run one at a time, and sup's signal
 * handling.
 *
 * @module
 */

/** Runs `fn` one call at a time; calls made while it runs coalesce into one more run. */
export class Serial {
  #running: Promise<void> | null = null;
  #again = false;
  /** @param fn the work to serialize */
  constructor(readonly fn: () => Promise<void>) {}

  /** Runs `fn` now, or once more after the run going on. */
  run(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.fn();
      } while (this.#again);
    })().finally(() => this.#running = null);
  }

  /** Resolves when no run is going on or pending. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }
}

/** sup's signal handling: SIGINT/SIGTERM stop, SIGHUP and SIGUSR1 call their handlers. */
export class SignalInbox {
  /** Resolves with the signal's name (or what `stop` resolved with when a string, else "stop"). */
  readonly stopped: Promise<string>;
  /** Called on SIGHUP. */
  onHangup: () => void = () => {};
  /** Called on SIGUSR1. */
  onUsr1: () => void = () => {};
  #removers: (() => void)[] = [];

  /** Listens from now on; `stop` resolving stops sup like a signal. */
  constructor(stop?: Promise<unknown>) {
    this.stopped = new Promise((resolve) => {
      this.#listen("SIGINT", () => resolve("SIGINT"));
      this.#listen("SIGTERM", () => resolve("SIGTERM"));
      stop?.then((why) => resolve(typeof why === "string" ? why : "stop")); // e.g. "sup shutdown"
    });
    this.#listen("SIGHUP", () => this.onHangup());
    this.#listen("SIGUSR1", () => this.onUsr1());
  }

  #listen(signal: Deno.Signal, fn: () => void): void {
    Deno.addSignalListener(signal, fn);
    this.#removers.push(() => Deno.removeSignalListener(signal, fn));
  }

  /** Removes the signal listeners. */
  close(): void {
    for (const remove of this.#removers) remove();
  }
}
