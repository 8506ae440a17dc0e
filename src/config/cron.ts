/**
 * Checks cron expressions with `croner` (the package the schedule probe
 * runs them with), so `sup check` rejects what would fail at run time.
 *
 * @module
 */

import { Cron } from "croner";

/** null when `expr` is a valid cron expression that fires at some time; otherwise why not. */
export function cronProblem(expr: string): string | null {
  let cron: Cron | undefined;
  try {
    cron = new Cron(expr, { paused: true });
    if (cron.nextRun() === null) return `${JSON.stringify(expr)} never fires`;
    return null;
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error))
      .replace(/^CronPattern: /, "").replace(/\.$/, "");
    return `${
      JSON.stringify(expr)
    } is not a cron expression: ${reason} (expected e.g. "0 4 * * *": minute hour day month weekday)`;
  } finally {
    cron?.stop();
  }
}
