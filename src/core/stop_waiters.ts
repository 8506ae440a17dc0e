/**
 * The pending `stop()` calls of a job: each waits until the job has no
 * process any more, then all of them resolve together.
 *
 * @module
 */

/** Promises that resolve at the next `settle()`. */
export class StopWaiters {
  #resolvers: (() => void)[] = [];

  /** Resolves at the next `settle()`. */
  next(): Promise<void> {
    return new Promise((resolve) => this.#resolvers.push(resolve));
  }

  /** Resolves every promise handed out so far. */
  settle(): void {
    if (this.#resolvers.length === 0) return;
    const resolvers = this.#resolvers;
    this.#resolvers = [];
    for (const resolve of resolvers) resolve();
  }
}
