/**
 * Counts refused input by reason, and reports it without flooding: at most
 * one log line and one `channel.rejected` event per reason per interval,
 * carrying how many more were refused meanwhile. Details are clipped: what
 * an app sent (addresses, ids) is never logged whole.
 *
 * @module
 */

import { getLogger, type Logger } from "@logtape/logtape";
import type { EventBus } from "../core/event_bus.ts";
import type { SupEvent } from "../core/events.ts";
import { type Clock, realClock } from "../core/clock.ts";
import { clip } from "../apps/line_limiter.ts";

/** Longest detail reported (an address or an app id an app sent is clipped to fit). */
const MAX_DETAIL = 300;

type Channel = Extract<SupEvent, { type: "channel.rejected" }>["channel"];

/** Refusals of one channel, by reason code. */
export class RejectionLog {
  #counts: Record<string, number> = {};
  #lastReport = new Map<string, { at: number; countThen: number }>();
  #logger: Logger;

  /**
   * @param channel which channel refuses
   * @param bus where `channel.rejected` goes
   * @param intervalMs shortest time between two reports of one reason
   */
  constructor(
    readonly channel: Channel,
    readonly bus: EventBus,
    readonly intervalMs = 5000,
    readonly clock: Clock = realClock,
  ) {
    this.#logger = getLogger(["sup", "channel", channel]);
  }

  /** Counts one refusal; logs and emits it unless this reason was reported within the interval. */
  report(code: string, detail: string): void {
    const count = (this.#counts[code] ?? 0) + 1;
    this.#counts[code] = count;
    const now = this.clock.now();
    const last = this.#lastReport.get(code);
    if (last && now - last.at < this.intervalMs) return;
    const skipped = last ? count - last.countThen - 1 : 0;
    this.#lastReport.set(code, { at: now, countThen: count });
    const more = skipped > 0 ? ` (and ${skipped} more since the last report)` : "";
    const reason = `${code}: ${clip(detail, MAX_DETAIL)}${more}`;
    this.#logger.warn("Rejected {channel} input, {reason}", { channel: this.channel, reason });
    this.bus.emit({ type: "channel.rejected", channel: this.channel, reason, at: now });
  }

  /** Refusals so far, by reason code. */
  counts(): Record<string, number> {
    return { ...this.#counts };
  }

  /** All refusals so far. */
  total(): number {
    let n = 0;
    for (const code in this.#counts) n += this.#counts[code];
    return n;
  }
}
