/** `dumpCore` with gdb's real `gcore`: a core file of a live process is written, and what gcore said comes back. */

import { equal, ok } from "node:assert/strict";
import { dumpCore } from "../src/probes/gcore.ts";

Deno.test("gcore writes a core file of a running process into coreDir, named after the job", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-gcore-" });
  const victim = new Deno.Command("sleep", { args: ["60"], stdout: "null" }).spawn();
  try {
    const dump = await dumpCore(["gcore", "-o"], `${dir}/cores`, "web", victim.pid, 60_000);
    ok(dump.ok, dump.output);
    equal(dump.file, `${dir}/cores/web.${victim.pid}`);
    const size = (await Deno.stat(dump.file)).size;
    ok(size > 100_000, `core file of ${size} bytes`);
    ok(dump.output.includes("Saved corefile"), dump.output);
    // The process was only paused while gcore read it.
    equal(Deno.readTextFileSync(`/proc/${victim.pid}/stat`).includes(") S "), true);
  } finally {
    victim.kill("SIGKILL");
    await victim.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gcore failures come back as output, never as a throw", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-gcore-" });
  try {
    const missing = await dumpCore(["no-such-gcore"], dir, "web", 1);
    equal(missing.ok, false);
    ok(missing.output.includes('cannot run "no-such-gcore"'), missing.output);
    const gone = await dumpCore(["gcore", "-o"], dir, "web", 0x7ffffff0, 60_000);
    equal(gone.ok, false);
    ok(gone.output.includes("gcore exited with code"), gone.output);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
