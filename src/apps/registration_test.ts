import { deepStrictEqual, equal, ok, throws } from "node:assert/strict";
import { checkRegistration, parseRegistration } from "./registration.ts";

Deno.test("a registration accepts a duration string or milliseconds and a command string or argv", () => {
  deepStrictEqual(
    parseRegistration({
      name: "kiosk",
      timeout: "10s",
      action: "restart",
      restartCommand: 'open "My App"',
    }),
    {
      ok: true,
      value: {
        name: "kiosk",
        timeoutMs: 10_000,
        action: "restart",
        restartCommand: ["open", "My App"],
        pid: null,
      },
    },
  );
  deepStrictEqual(
    parseRegistration({ name: "k", timeout: 1500, action: "kill", pid: 321 }),
    {
      ok: true,
      value: { name: "k", timeoutMs: 1500, action: "kill", restartCommand: null, pid: 321 },
    },
  );
  deepStrictEqual(
    parseRegistration({ timeout: "1m", action: "none" }, "from-job"),
    {
      ok: true,
      value: {
        name: "from-job",
        timeoutMs: 60_000,
        action: "none",
        restartCommand: null,
        pid: null,
      },
    },
  );
});

Deno.test("a bad registration names the field, the value and what was expected", () => {
  const cases: Array<[unknown, string | RegExp]> = [
    ["x", 'Registration must be a JSON object, got "x"'],
    [
      { timeout: "1s", action: "none" },
      'name: undefined is not an app name (1 to 100 letters, digits, "-", "_", ".")',
    ],
    [
      { name: "a b", timeout: "1s", action: "none" },
      'name: "a b" is not an app name (1 to 100 letters, digits, "-", "_", ".")',
    ],
    [
      { name: "a", timeout: "10XB", action: "none" },
      'timeout: "10XB" is not a duration (expected e.g. "10s")',
    ],
    [{ name: "a", action: "none" }, 'timeout: undefined is not a duration (expected e.g. "10s")'],
    [{ name: "a", timeout: 0, action: "none" }, "timeout: must be at least 1ms, got 0"],
    [
      { name: "a", timeout: "1s", action: "explode" },
      'action: "explode" is not an action (expected one of restart, kill, reboot, none)',
    ],
    [
      { name: "a", timeout: "1s", action: "restart" },
      'restartCommand: required when action is "restart"',
    ],
    [
      { name: "a", timeout: "1s", action: "restart", restartCommand: [1] },
      "restartCommand: [1] is not a command (expected a string or an array of strings)",
    ],
    [{ name: "a", timeout: "1s", action: "kill" }, 'pid: required when action is "kill"'],
    [
      { name: "a", timeout: "1s", action: "kill", pid: -4 },
      "pid: -4 is not a process id (whole number >= 1)",
    ],
    [{ name: "a", timeout: "1s", action: "kill", pid: 1 }, "pid: 1 is init; it cannot be watched"],
    [
      { name: "x".repeat(101), timeout: "1s", action: "none" },
      /^name: "x{101}" is not an app name \(1 to 100 /,
    ],
    [
      { name: "a", timeout: "1s", action: "none", restartCommand: [] },
      "restartCommand: must not be empty",
    ],
  ];
  for (const [input, error] of cases) {
    const result = parseRegistration(input);
    equal(result.ok, false, JSON.stringify(input));
    if (!result.ok && typeof error === "string") equal(result.error, error);
    if (!result.ok && typeof error !== "string") ok(error.test(result.error), result.error);
  }
});

Deno.test("typed registrations (a registry caller, the state file) are checked by the same rules", () => {
  const base = { name: "kiosk", timeoutMs: 1000, action: "none", restartCommand: null, pid: null };
  deepStrictEqual(checkRegistration({ ...base, action: "none" }), { ...base, action: "none" });
  const refused: Array<[Record<string, unknown>, string]> = [
    [{ name: "a b" }, 'name: "a b" is not an app name (1 to 100 letters, digits, "-", "_", ".")'],
    [{ timeoutMs: 0 }, "timeout: must be at least 1ms, got 0"],
    [{ action: "kill", pid: 1 }, "pid: 1 is init; it cannot be watched"],
    [{ action: "restart" }, 'restartCommand: required when action is "restart"'],
  ];
  for (const [patch, message] of refused) {
    throws(
      () => checkRegistration({ ...base, ...patch } as Parameters<typeof checkRegistration>[0]),
      (e: Error) => e instanceof RangeError && e.message === message,
      JSON.stringify(patch),
    );
  }
});
