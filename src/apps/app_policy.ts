/**
 * What the config's `apps` section lets a registration ask for: whether
 * registration is on, and which actions (`apps.allow`; "none" always).
 * Pure.
 *
 * @module
 */

import type { AppRegistration } from "./registration.ts";
import { DEFAULT_APPS, type ResolvedApps } from "../config/resolved.ts";

/** Why each action is refused unless the config allows it. */
const RISKS = {
  kill: "a local client could have sup kill its own processes, or any process when it runs as root",
  restart: "the restart command comes from any local client and runs as sup's user",
  reboot: "any local client could restart the machine",
} as const;

/** Why `policy` refuses `action`, or null when it allows it. */
export function policyRefusal(
  policy: ResolvedApps,
  action: AppRegistration["action"],
): string | null {
  if (!policy.enabled) {
    return "self-registration is turned off (apps.enabled is false in the config)";
  }
  if (action === "none" || policy.allow.includes(action)) return null;
  return `action "${action}" is not allowed: add "${action}" to apps.allow in the config (${
    RISKS[action]
  })`;
}

/** A full policy from a partial one (missing fields: the config defaults). */
export function policyOf(policy: Partial<ResolvedApps>): ResolvedApps {
  const full = { ...DEFAULT_APPS, ...policy };
  return { ...full, allow: [...full.allow] };
}
