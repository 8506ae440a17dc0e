/**
 * Enabling and disabling a job at run time (pmtr's UDP `enable`/`disable`,
 * `sup enable|disable`): an override of the job's `disabled` setting kept on
 * its entry, tied to the config it was set against. It lasts until the
 * job's config changes (a reload that changes the job gives its entry a new
 * config, and the override lapses) or sup restarts; whoever wants it to
 * survive a restart of sup records it and calls `SupervisorApi.setEnabled`
 * again at start.
 *
 * Disabled means what `disabled: true` in the config means: the job is
 * stopped, the config and the probes never start it (status says
 * `disabled`), and only a manual `start` runs it. Enabling a disabled job
 * starts it as the config would (its gates, `after` and `wait`, still apply).
 *
 * @module
 */

import type { ResolvedJob } from "../config/resolved.ts";
import type { JobEntry } from "./job_entry.ts";

/** A run-time enable or disable of a job, and the job config it was set against. */
export interface EnabledOverride {
  /** What was asked. */
  enabled: boolean;
  /** The job's config then; the override holds while the entry still has this very config. */
  config: ResolvedJob;
}

/** True when the job is disabled: by its run-time override, else by its config. */
export function isDisabled(entry: Pick<JobEntry, "config" | "enabled">): boolean {
  const override = entry.enabled;
  if (override === null || override.config !== entry.config) return entry.config.disabled;
  return !override.enabled;
}

/**
 * Sets the override, then acts: disabling stops the job (`stop`, resolving
 * when its process group is gone); enabling a job that was disabled asks for
 * it as the config does (`want`: now, or when its gates open). Enabling a
 * job that is enabled, or disabling a stopped one, changes nothing.
 */
export function setJobEnabled(
  entry: Pick<JobEntry, "config" | "enabled">,
  enabled: boolean,
  want: () => void,
  stop: () => Promise<void>,
): Promise<void> {
  const wasDisabled = isDisabled(entry);
  // An override equal to the config is no override: a later config change has nothing to undo.
  entry.enabled = enabled === !entry.config.disabled ? null : { enabled, config: entry.config };
  if (!enabled) return stop();
  if (wasDisabled) want();
  return Promise.resolve();
}
