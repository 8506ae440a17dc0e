/**
 * A bounded wait for a condition that no event announces (a counter, a
 * client's state, an HTTP answer): checks every 10 ms, fails with what it
 * waited for.
 *
 * @module
 */

/** Resolves once `check()` holds (a check that throws counts as false); rejects after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await Promise.resolve().then(check).catch(() => false))) {
    if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
