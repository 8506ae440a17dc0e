/** The `apps` and `machine` config sections: defaults, resolution, and errors with paths. */

import { deepStrictEqual } from "node:assert/strict";
import { parseAccounts } from "../src/config/accounts.ts";
import { formatIssue } from "../src/config/config_error.ts";
import { DEFAULT_APPS, type ResolvedConfig } from "../src/config/resolved.ts";
import { validateConfig } from "../src/config/validate.ts";

const accounts = parseAccounts("root:x:0:0:root:/root:/bin/bash\n", "root:x:0:\n");
const jobs = { web: { cmd: "node web.js" } };

async function resolve(
  input: Record<string, unknown>,
  mode?: string,
): Promise<ResolvedConfig | string[]> {
  const result = await validateConfig({ jobs, ...input }, {
    source: "/srv/sup.json",
    mode,
    hostname: "laptop",
    accounts,
  });
  return result.ok ? result.config : result.issues.map(formatIssue);
}

Deno.test("apps and machine default to kill-only registrations and systemctl reboot", async () => {
  const config = await resolve({}) as ResolvedConfig;
  deepStrictEqual(config.apps, {
    enabled: true,
    allow: ["kill"],
    allowJobs: false,
    maxPerUser: 64,
    expireAfterMisses: 3,
  });
  deepStrictEqual(config.machine.rebootCommand, ["systemctl", "reboot"]);
});

Deno.test("apps.allow, apps.enabled and machine.rebootCommand resolve; a mode may override them", async () => {
  const config = await resolve({
    apps: { enabled: false, allow: ["restart", "kill", "restart"] },
    machine: { rebootCommand: 'sudo "/sbin/reboot" now' },
    modes: { kiosk: { apps: { enabled: true, allow: ["reboot"] } } },
  }) as ResolvedConfig;
  deepStrictEqual(config.apps, { ...DEFAULT_APPS, enabled: false, allow: ["restart", "kill"] });
  deepStrictEqual(config.machine.rebootCommand, ["sudo", "/sbin/reboot", "now"]);
  const kiosk = await resolve({
    apps: { enabled: false },
    modes: { kiosk: { apps: { enabled: true, allow: ["reboot"] } } },
  }, "kiosk") as ResolvedConfig;
  deepStrictEqual(kiosk.apps, { ...DEFAULT_APPS, enabled: true, allow: ["reboot"] });
});

Deno.test("bad apps and machine sections are reported with paths and did-you-mean", async () => {
  deepStrictEqual(
    await resolve({
      apps: { enable: true, allow: ["kil", "none", 3] },
      machine: { rebootCommand: [], reboot: "x" },
    }),
    [
      'apps.enable: unknown key (did you mean "enabled"?)',
      'apps.allow[0]: "kil" is not an app action (expected "kill", "restart" or "reboot") (did you mean "kill"?)',
      'apps.allow[1]: "none" is not an app action (expected "kill", "restart" or "reboot") ("none" is always allowed; leave it out)',
      'apps.allow[2]: 3 is not an app action (expected "kill", "restart" or "reboot")',
      'machine.reboot: unknown key (did you mean "rebootCommand"?)',
      'machine.rebootCommand: must not be an empty array (expected e.g. ["node", "server.js"])',
    ],
  );
  deepStrictEqual(
    await resolve({ apps: { allow: "restart", enabled: "yes" }, machine: "reboot" }),
    [
      'apps.allow: must be an array of actions (e.g. ["kill", "restart"]), got "restart"',
      'apps.enabled: must be true or false, got "yes"',
      'machine: must be an object, got "reboot"',
    ],
  );
});
