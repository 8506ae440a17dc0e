import { equal, ok, throws } from "node:assert/strict";
import { SpawnError, spawnProcess, type SpawnSpec } from "./process_spawner.ts";
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

const cases: { name: string; spec: Partial<SpawnSpec>; message: string }[] = [
  {
    name: "missing command",
    spec: { argv: ["nodex"] },
    message: 'Cannot start job "api": command "nodex" was not found',
  },
  {
    name: "missing directory",
    spec: { argv: ["nodex"], dir: "/no/such/dir" },
    message: 'Cannot start job "api": directory "/no/such/dir" does not exist',
  },
  {
    name: "missing path",
    spec: { argv: ["./bin/server"] },
    message: 'Cannot start job "api": command "./bin/server" was not found',
  },
  {
    name: "directory as command",
    spec: { argv: ["/etc"] },
    message: 'Cannot start job "api": command "/etc" is a directory',
  },
  {
    name: "file that is not executable",
    spec: { argv: ["/etc/passwd"] },
    message: 'Cannot start job "api": command "/etc/passwd" is not executable (permission denied)',
  },
  {
    name: "missing stdin file",
    spec: { stdin: "/no/such/input" },
    message: 'Cannot start job "api": stdin file "/no/such/input" cannot be read',
  },
];

for (const c of cases) {
  Deno.test(`spawnProcess explains a ${c.name}`, () => {
    throws(() => spawnProcess({ ...base, ...c.spec }), (error: unknown) => {
      ok(error instanceof SpawnError);
      ok(error.message.startsWith(c.message), error.message);
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
