/**
 * The counters of pmtr's UDP control port. Made by `sup run` whether or not
 * the config turns the port on (a few numbers), so `/metrics` can read them
 * without loading the control code, which is imported only when
 * `network.control` is set.
 *
 * @module
 */

/** Counters since sup started. */
export interface ControlStats {
  /** Datagrams received. */
  received: number;
  /** `enable`/`disable` commands carried out (one per job named). */
  commands: number;
  /** Datagrams or job names refused, by reason code ("bad-command", "unknown-job"...). */
  rejectedBy: Record<string, number>;
}

/** Fresh counters. */
export function newControlStats(): ControlStats {
  return { received: 0, commands: 0, rejectedBy: {} };
}
