/**
 * CLOCK_MONOTONIC in milliseconds, read through FFI from libc: the clock the
 * `stamp` child writes (bench/fixtures/stamp.c), so harness and child
 * timestamps can be subtracted. Falls back to `performance.now()` (whose
 * origin differs from CLOCK_MONOTONIC) when libc cannot be opened; then
 * figures that mix both clocks are reported as unavailable.
 *
 * @module
 */

const CLOCK_MONOTONIC = 1;

type Libc = Deno.DynamicLibrary<{
  clock_gettime: { parameters: ["i32", "buffer"]; result: "i32" };
}>;

let libc: Libc | undefined;
let tried = false;
const timespec = new BigInt64Array(2);

function openLibc(): Libc | undefined {
  if (tried) return libc;
  tried = true;
  for (const name of ["libc.so.6", "libc.so"]) {
    try {
      libc = Deno.dlopen(name, {
        clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
      });
      return libc;
    } catch {
      // try the next name
    }
  }
  return undefined;
}

/** True when `monoMs()` reads the real CLOCK_MONOTONIC (same clock as the stamp child). */
export function hasMonotonicClock(): boolean {
  return openLibc() !== undefined;
}

/** CLOCK_MONOTONIC now, in milliseconds with nanosecond resolution. */
export function monoMs(): number {
  const lib = openLibc();
  if (!lib) return performance.now();
  lib.symbols.clock_gettime(CLOCK_MONOTONIC, timespec);
  return Number(timespec[0]) * 1e3 + Number(timespec[1]) / 1e6;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` every `intervalMs` until it returns a value other than
 * undefined, or throws after `timeoutMs` with `what` in the message.
 */
export async function pollUntil<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 2,
): Promise<T> {
  const deadline = monoMs() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (monoMs() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Closes the libc handle (lets a test end without a leaked resource). */
export function closeClock(): void {
  libc?.close();
  libc = undefined;
  tried = false;
}
