import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { RuntimeStateFile, stateFilePath } from "./runtime_state.ts";
import { reapOrphans } from "./orphan_reaper.ts";
import { readProcStat } from "./proc_stat.ts";

Deno.test("the state file records job groups with their leader's start time, keeps sections, writes atomically", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/state.json`;
    const file = new RuntimeStateFile(path, "/etc/sup/config.ts");
    file.setSection("apps", [{ id: "a1" }]);
    file.setJob("me", { pgid: Deno.pid, killSignal: "SIGTERM", killTimeoutMs: 100 });
    file.setJob("gone", { pgid: 2 ** 22 + 7, killSignal: "SIGTERM", killTimeoutMs: 100 });
    await file.flush();
    const data = JSON.parse(await Deno.readTextFile(path));
    deepStrictEqual(
      Object.keys(data.jobs),
      ["me"],
      "a group that no longer exists is not recorded",
    );
    equal(data.jobs.me.startTime, readProcStat(Deno.pid)?.startTime);
    deepStrictEqual(data.sections.apps, [{ id: "a1" }]);
    equal(Deno.statSync(path).mode! & 0o777, 0o600, "only sup's user reads the state file");
    deepStrictEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name),
      ["state.json"],
      "no temporary file left",
    );

    const next = new RuntimeStateFile(path, "/etc/sup/config.ts");
    equal(next.readPrevious()?.jobs.me.pgid, Deno.pid);
    deepStrictEqual(next.section("apps"), [{ id: "a1" }], "sections survive a restart of sup");
    file.deleteJob("me");
    await file.flush();
    deepStrictEqual(JSON.parse(await Deno.readTextFile(path)).jobs, {});
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stateFilePath prefers SUP_STATE_DIR and keys the file by config path", () => {
  const dir = Deno.makeTempDirSync();
  const old = Deno.env.get("SUP_STATE_DIR");
  try {
    Deno.env.set("SUP_STATE_DIR", dir);
    const a = stateFilePath("/srv/a/config.ts");
    const b = stateFilePath("/srv/b/config.ts");
    ok(a.startsWith(`${dir}/config.ts-`) && a.endsWith(".json"));
    ok(a !== b);
    equal(stateFilePath("/srv/a/config.ts"), a);
  } finally {
    if (old === undefined) Deno.env.delete("SUP_STATE_DIR");
    else Deno.env.set("SUP_STATE_DIR", old);
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("stateFilePath falls back from $XDG_RUNTIME_DIR/sup to /run/sup to next to the config", () => {
  const root = Deno.makeTempDirSync();
  try {
    const xdg = `${root}/xdg`;
    const run = `${root}/run-sup`;
    Deno.mkdirSync(xdg);
    // A path under a regular file can never be created: an unwritable candidate, even for root.
    Deno.writeTextFileSync(`${root}/file`, "");
    const blocked = `${root}/file/x`;
    const config = `${root}/app/sup.config.ts`;
    const env = (vars: Record<string, string>) => (key: string) => vars[key];

    const inXdg = stateFilePath(config, { env: env({ XDG_RUNTIME_DIR: xdg }), runDir: run });
    ok(inXdg.startsWith(`${xdg}/sup/sup.config.ts-`), inXdg);
    ok(Deno.statSync(`${xdg}/sup`).isDirectory, "the sup directory is created");

    const noXdg = stateFilePath(config, { env: env({}), runDir: run });
    ok(noXdg.startsWith(`${run}/sup.config.ts-`), noXdg);

    const xdgBlocked = stateFilePath(config, {
      env: env({ XDG_RUNTIME_DIR: blocked }),
      runDir: run,
    });
    ok(xdgBlocked.startsWith(`${run}/`), xdgBlocked);

    const nothing = stateFilePath(config, {
      env: env({ XDG_RUNTIME_DIR: blocked }),
      runDir: `${blocked}/run`,
    });
    equal(nothing, `${root}/app/.sup.config.ts.sup-state.json`);

    const override = stateFilePath(config, {
      env: env({ SUP_STATE_DIR: `${root}/state`, XDG_RUNTIME_DIR: xdg }),
      runDir: run,
    });
    ok(override.startsWith(`${root}/state/`), override);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("reapOrphans ends a recorded group; the pid in the file no longer decides whether a sup runs", async () => {
  const child = new Deno.Command("/usr/bin/setsid", { args: ["/bin/sh", "-c", "sleep 30 & wait"] })
    .spawn();
  try {
    await new Promise((r) => setTimeout(r, 100));
    const startTime = readProcStat(child.pid)!.startTime;
    const previous = {
      version: 1 as const,
      config: "/x/config.ts",
      supPid: 2 ** 22 + 9, // gone
      supStartTime: 1,
      jobs: {
        job: { pgid: child.pid, startTime, killSignal: "SIGTERM" as const, killTimeoutMs: 500 },
      },
      sections: {},
    };
    const reaped = await reapOrphans(previous);
    deepStrictEqual(reaped.map((r) => r.job), ["job"]);
    const status = await child.status;
    equal(status.signal, "SIGTERM");
    deepStrictEqual(await reapOrphans(previous), [], "nothing left the second time");

    const self = readProcStat(Deno.pid)!;
    const parent = readProcStat(self.ppid)!;
    // A live (or zombie) pid in the file is no reason to refuse: the lock (sup_lock.ts) decides.
    deepStrictEqual(
      await reapOrphans({ ...previous, supPid: parent.pid, supStartTime: parent.startTime }),
      [],
    );
  } finally {
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      // gone
    }
    await child.status;
  }
});
