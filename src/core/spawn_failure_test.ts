import { deepStrictEqual, equal, ok } from "node:assert/strict";
import {
  SpawnError,
  type SpawnFailure,
  spawnFailureText,
  wrapperExecFailure,
} from "./spawn_failure.ts";

const texts: [SpawnFailure, string][] = [
  [{ reason: "notFound", command: "nodex" }, 'command "nodex" was not found'],
  [{ reason: "dirMissing", dir: "/no/such" }, 'directory "/no/such" does not exist'],
  [{ reason: "isDirectory", command: "/etc" }, 'command "/etc" is a directory'],
  [
    { reason: "notExecutable", command: "/etc/passwd" },
    'command "/etc/passwd" is not executable (permission denied)',
  ],
  [
    { reason: "dirDenied", dir: "/srv/p", uid: 65534, at: "/srv/p" },
    'directory "/srv/p" cannot be entered by user 65534 (permission denied on "/srv/p")',
  ],
  [
    { reason: "pathDenied", command: "/srv/p/x", uid: 7, at: "/srv/p" },
    'command "/srv/p/x" cannot be reached by user 7 (permission denied on "/srv/p")',
  ],
  [
    { reason: "notExecutableBy", command: "/srv/x", uid: 7 },
    'command "/srv/x" is not executable by user 7 (permission denied)',
  ],
  [
    { reason: "prlimitMissing" },
    `"ulimit" needs util-linux's "prlimit", which was not found on PATH ` +
    `(Debian/Ubuntu: apt install util-linux)`,
  ],
  [
    { reason: "stdinUnreadable", file: "/in", detail: "No such file" },
    'stdin file "/in" cannot be read (No such file)',
  ],
  [
    { reason: "execFailed", command: "/srv/run.sh", detail: "Permission denied" },
    'command "/srv/run.sh" cannot be executed (Permission denied)',
  ],
  [{ reason: "os", detail: "Resource busy" }, "Resource busy"],
];

for (const [failure, text] of texts) {
  Deno.test(`a ${failure.reason} spawn failure reads "${text.slice(0, 40)}..."`, () => {
    equal(spawnFailureText(failure), text);
    const error = new SpawnError("api", failure);
    equal(error.message, `Cannot start job "api": ${text}`);
    equal(error.name, "SpawnError");
    equal(error.job, "api");
    deepStrictEqual(error.failure, failure);
  });
}

Deno.test("a SpawnError made from words keeps them and says it came from the OS", () => {
  const cause = new Error("boom");
  const error = new SpawnError("api", "it broke", { cause });
  equal(error.message, 'Cannot start job "api": it broke');
  deepStrictEqual(error.failure, { reason: "os", detail: "it broke" });
  ok(error.cause === cause);
});

Deno.test("wrapperExecFailure reads setsid's and prlimit's exec failures, nothing else", () => {
  deepStrictEqual(
    wrapperExecFailure(126, [
      "some output",
      "setsid: failed to execute /srv/run.sh: Permission denied",
    ]),
    { reason: "execFailed", command: "/srv/run.sh", detail: "Permission denied" },
  );
  deepStrictEqual(
    wrapperExecFailure(127, ["prlimit: failed to execute ./x: No such file or directory"]),
    { reason: "execFailed", command: "./x", detail: "No such file or directory" },
  );
  equal(wrapperExecFailure(1, ["setsid: failed to execute /x: Permission denied"]), null);
  equal(wrapperExecFailure(null, ["setsid: failed to execute /x: Permission denied"]), null);
  equal(wrapperExecFailure(127, ["sh: 1: foo: not found"]), null);
  equal(wrapperExecFailure(126, []), null);
});
