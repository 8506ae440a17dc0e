/**
 * pmtr compatibility, a `Component` of `sup run` loaded only when the config
 * sets `network.report` or `network.control`: the UDP status report
 * (`pmtr_report.ts`) and the UDP control port (`pmtr_control.ts`). An
 * enable or disable over the control port is followed by a report within a
 * second, as pmtr does.
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import type { Component } from "../core/component.ts";
import { PmtrControl } from "./pmtr_control.ts";
import { PmtrReporter, REPORT_INTERVAL_MS } from "./pmtr_report.ts";
import type { ControlStats } from "./pmtr_stats.ts";

/** The report and the control port, following `network.report` and `network.control`. */
export class PmtrComponent implements Component {
  /** The status report. */
  readonly reporter: PmtrReporter;
  /** The control port. */
  readonly control: PmtrControl;

  /**
   * @param api the supervisor
   * @param stats the control port's counters (shared with `/metrics`)
   * @param reportIntervalMs between reports (tests shorten it)
   */
  constructor(
    api: Pick<SupervisorApi, "config" | "jobStatus" | "setEnabled">,
    stats: ControlStats,
    reportIntervalMs = REPORT_INTERVAL_MS,
  ) {
    this.reporter = new PmtrReporter(api, reportIntervalMs);
    this.control = new PmtrControl(api, stats, () => this.reporter.soon());
  }

  /** Follows the config: destinations of the report, address of the control port. */
  async apply(config: ResolvedConfig): Promise<void> {
    this.reporter.apply(config.network.report);
    await this.control.apply(config.network.control);
  }

  /** Stops both. */
  async close(): Promise<void> {
    this.reporter.close();
    await this.control.close();
  }
}
