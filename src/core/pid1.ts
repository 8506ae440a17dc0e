/**
 * The PID 1 check: Deno cannot reap orphaned processes, so sup running as
 * PID 1 (a container's entry point without an init) would let zombies of
 * daemonizing jobs pile up. sup warns and says how to fix it.
 *
 * @module
 */

/** The warning sup logs when it runs as `pid`, or null when there is nothing to warn about. */
export function pid1Warning(pid: number): string | null {
  if (pid !== 1) return null;
  return "sup is PID 1: Deno cannot reap orphaned processes, so zombies of jobs that fork " +
    "would pile up. Run sup under an init: `tini -- sup run ...` or `docker run --init`.";
}
