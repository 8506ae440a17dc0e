/**
 * A job's inbox: inputs are handled one at a time, in the order they were
 * sent. An input sent while another is being handled (by a bus listener, a
 * timer, an effect of that input) waits until it is done, so the state
 * machine never sees an input in the middle of a transition.
 *
 * @module
 */

/** Handles inputs one at a time, in order; a failing handler is reported, never thrown. */
export class Mailbox<T> {
  #queue: T[] = [];
  #busy = false;
  #handle: (input: T) => void;
  #onError: (input: T, error: unknown) => void;

  /** @param handle runs one input; @param onError receives what `handle` threw */
  constructor(handle: (input: T) => void, onError: (input: T, error: unknown) => void) {
    this.#handle = handle;
    this.#onError = onError;
  }

  /** Handles `input` now, or after the inputs before it when one is being handled. */
  send(input: T): void {
    this.#queue.push(input);
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        try {
          this.#handle(next);
        } catch (error) {
          // Sent from timers and exit handlers: a bug here is reported, never a crash of sup.
          this.#onError(next, error);
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Handles `input` right after the input being handled, before those
   * already waiting (what an effect produced, e.g. the outcome of a spawn,
   * must reach the state machine before anything else does).
   */
  sendNext(input: T): void {
    if (this.#busy) this.#queue.unshift(input);
    else this.send(input);
  }
}
