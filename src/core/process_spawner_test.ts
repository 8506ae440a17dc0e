import { equal, ok, throws } from "node:assert/strict";
import { SpawnError, spawnProcess, type SpawnSpec, wrapperExecError } from "./process_spawner.ts";
import { readProcStat } from "./proc_stat.ts";

const base: SpawnSpec = {
  name: "api",
  argv: ["true"],
  dir: "/tmp",
  env: {},
  clearEnv: false,
  uid: null,
  gid: null,
  ulimit: { nofile: null, nproc: null, core: null, memlock: null, stack: null },
  stdin: null,
  pipeStdout: false,
  pipeStderr: false,
};

const cases: { name: string; spec: Partial<SpawnSpec>; message: string; reason: string }[] = [
  {
    name: "missing command",
    spec: { argv: ["nodex"] },
    message: 'Cannot start job "api": command "nodex" was not found',
    reason: "notFound",
  },
  {
    name: "missing directory",
    spec: { argv: ["nodex"], dir: "/no/such/dir" },
    message: 'Cannot start job "api": directory "/no/such/dir" does not exist',
    reason: "dirMissing",
  },
  {
    name: "missing path",
    spec: { argv: ["./bin/server"] },
    message: 'Cannot start job "api": command "./bin/server" was not found',
    reason: "notFound",
  },
  {
    name: "directory as command",
    spec: { argv: ["/etc"] },
    message: 'Cannot start job "api": command "/etc" is a directory',
    reason: "isDirectory",
  },
  {
    name: "file that is not executable",
    spec: { argv: ["/etc/passwd"] },
    message: 'Cannot start job "api": command "/etc/passwd" is not executable (permission denied)',
    reason: "notExecutable",
  },
  {
    name: "missing stdin file",
    spec: { stdin: "/no/such/input" },
    message: 'Cannot start job "api": stdin file "/no/such/input" cannot be read',
    reason: "stdinUnreadable",
  },
];

for (const c of cases) {
  Deno.test(`spawnProcess explains a ${c.name}`, () => {
    throws(() => spawnProcess({ ...base, ...c.spec }), (error: unknown) => {
      ok(error instanceof SpawnError);
      ok(error.message.startsWith(c.message), error.message);
      equal(error.failure.reason, c.reason);
      return true;
    });
  });
}

Deno.test("spawnProcess puts the job in its own session and process group", async () => {
  const proc = spawnProcess({ ...base, argv: ["sleep", "5"] });
  try {
    let stat = readProcStat(proc.pid);
    const deadline = Date.now() + 2_000;
    while (stat?.session !== proc.pid && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
      stat = readProcStat(proc.pid);
    }
    equal(stat?.pgrp, proc.pid);
    equal(stat?.session, proc.pid);
    equal(proc.argv[0], "/usr/bin/sleep");
  } finally {
    Deno.kill(proc.pid, "SIGKILL");
    await proc.exit;
  }
});

Deno.test("wrapperExecError turns setsid/prlimit exec failures into a spawn error, nothing else", () => {
  equal(
    wrapperExecError("api", 126, ["setsid: failed to execute /srv/run.sh: Permission denied"]),
    'Cannot start job "api": command "/srv/run.sh" cannot be executed (Permission denied)',
  );
  equal(
    wrapperExecError("api", 127, ["prlimit: failed to execute ./x: No such file or directory"]),
    'Cannot start job "api": command "./x" cannot be executed (No such file or directory)',
  );
  equal(wrapperExecError("api", 1, ["setsid: failed to execute /x: Permission denied"]), null);
  equal(wrapperExecError("api", 127, ["sh: 1: foo: not found"]), null);
  equal(wrapperExecError("api", 126, []), null);
});

Deno.test("spawnProcess as another user checks that user may enter the dir and run the command", () => {
  const root = Deno.makeTempDirSync();
  try {
    Deno.chmodSync(root, 0o755);
    Deno.mkdirSync(`${root}/private`, { mode: 0o700 });
    Deno.chmodSync(`${root}/private`, 0o700);
    Deno.writeTextFileSync(`${root}/owner-only.sh`, "#!/bin/sh\n");
    Deno.chmodSync(`${root}/owner-only.sh`, 0o700);
    const nobody = { ...base, uid: 65534, gid: 65534, dir: root };
    const cases: [Partial<SpawnSpec>, string][] = [
      [{ dir: `${root}/private`, argv: ["true"] }, `directory "${root}/private" cannot be entered`],
      [{ argv: [`${root}/owner-only.sh`] }, `is not executable by user 65534 (permission denied)`],
    ];
    for (const [spec, message] of cases) {
      throws(() => spawnProcess({ ...nobody, ...spec }), (error: unknown) => {
        ok(error instanceof SpawnError && error.message.includes(message), String(error));
        return true;
      });
    }
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
