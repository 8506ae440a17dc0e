/**
 * The queue in front of a file writer: small chunks are copied into a shared
 * buffer, so all chunks that arrive while one write runs go out in the next
 * single `write`; operations (rotate, flush...) are queued in order with the
 * data.
 *
 * Buffers grow while the writer is busy (16 KiB doubling to 1 MiB, reused)
 * and the spares are dropped when it goes idle, so a fast job's output costs
 * few syscalls and a quiet job's file holds almost no memory.
 *
 * @module
 */

const MIN_BUFFER = 16 * 1024;
const MAX_BUFFER = 1024 * 1024;
const POOL_SIZE = 4;

/** Data (owned copies) and operations, in the order they were queued. */
export class WriteQueue<Op extends object> {
  #items: (Uint8Array | Op)[] = [];
  #fill: Uint8Array | null = null;
  #filled = 0;
  #bufferSize = MIN_BUFFER;
  #pool: Uint8Array[] = [];
  #bytes = 0;

  /** Bytes queued and not yet taken and written. */
  get bytes(): number {
    return this.#bytes;
  }

  /** True when nothing is queued. */
  get empty(): boolean {
    return this.#items.length === 0 && this.#filled === 0;
  }

  /** Queues a copy of `chunk`; the caller may reuse its buffer at once. */
  pushData(chunk: Uint8Array): void {
    this.#bytes += chunk.length;
    if (chunk.length > MAX_BUFFER / 2) {
      this.#seal();
      this.#items.push(chunk.slice());
      return;
    }
    if (this.#fill === null || this.#fill.length - this.#filled < chunk.length) {
      // A full buffer means the writer is behind, a big chunk that the job writes fast:
      // either way, gather more per write from now on.
      if (this.#fill !== null) this.#grow(this.#bufferSize * 2);
      this.#grow(chunk.length * 4);
      this.#seal();
      this.#fill = this.#pool.pop() ?? new Uint8Array(this.#bufferSize);
    }
    this.#fill.set(chunk, this.#filled);
    this.#filled += chunk.length;
  }

  /** Queues an operation after the data queued so far. */
  pushOp(op: Op): void {
    this.#seal();
    this.#items.push(op);
  }

  /** Everything queued, in order; the queue is left empty. */
  take(): (Uint8Array | Op)[] {
    this.#seal();
    const items = this.#items;
    this.#items = [];
    return items;
  }

  /** Marks `data` (from `take`) as written; its buffer is reused. */
  written(data: Uint8Array): void {
    this.#bytes -= data.length;
    if (data.buffer.byteLength === this.#bufferSize && this.#pool.length < POOL_SIZE) {
      this.#pool.push(new Uint8Array(data.buffer as ArrayBuffer));
    }
  }

  /** The writer caught up: drop spare buffers and start small again. */
  idle(): void {
    this.#pool = [];
    this.#bufferSize = MIN_BUFFER;
  }

  #grow(atLeast: number): void {
    if (this.#bufferSize >= atLeast || this.#bufferSize >= MAX_BUFFER) return;
    while (this.#bufferSize < atLeast && this.#bufferSize < MAX_BUFFER) this.#bufferSize *= 2;
    this.#pool = [];
  }

  #seal(): void {
    if (this.#fill === null) return;
    if (this.#filled > 0) this.#items.push(this.#fill.subarray(0, this.#filled));
    else if (this.#fill.length === this.#bufferSize) this.#pool.push(this.#fill);
    this.#fill = null;
    this.#filled = 0;
  }
}
