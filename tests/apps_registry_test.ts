/**
 * Self-registered apps with real processes: a missed refresh kills the
 * registered pid's whole process group, a restart action runs its command,
 * and registrations survive a new registry reading the runtime state file.
 */

import { deepStrictEqual, equal, ok, throws } from "node:assert/strict";
import { EventBus } from "../src/core/event_bus.ts";
import { groupMembers } from "../src/core/proc_stat.ts";
import { RuntimeStateFile } from "../src/core/runtime_state.ts";
import { AppRegistry } from "../src/apps/registry.ts";
import { AppNotAllowedError } from "../src/apps/registry_api.ts";
import { record } from "./support/event_log.ts";

const noReboot = () => Promise.reject(new Error("no reboot in tests"));
/** The supervisor API a registry uses: its events go to `bus`, reboots are refused. */
const apiOn = (bus: EventBus) => ({ bus, reboot: noReboot });

/** A process group: `sh` and two `sleep` children, in its own session. */
function spawnGroup(): Deno.ChildProcess {
  return new Deno.Command("/bin/sh", {
    args: ["-c", "sleep 1000 & sleep 1000; wait"],
    detached: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function until(what: string, fn: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function endGroup(child: Deno.ChildProcess): Promise<unknown> {
  try {
    Deno.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
  return child.status;
}

Deno.test("a registered app whose refresh is missed gets its process group killed", async () => {
  const child = spawnGroup();
  try {
    await until("the group has children", () => groupMembers(child.pid).length === 3);
    const bus = new EventBus();
    const log = record(bus);
    const apps = new AppRegistry({ api: apiOn(bus) });
    const app = apps.register({
      name: "player",
      timeoutMs: 200,
      action: "kill",
      restartCommand: null,
      pid: child.pid,
    });
    await log.waitFor((e) => e.type === "app.missed", "missed");
    await log.waitFor((e) => e.type === "app.unregistered" && e.id === app.id, "unregistered");
    const status = await child.status;
    equal(status.signal, "SIGKILL");
    await until("every process of the group is gone", () => groupMembers(child.pid).length === 0);
    apps.close();
    log.stop();
  } finally {
    await endGroup(child);
  }
});

Deno.test("a missed refresh with action restart runs the restart command", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-apps-" });
  try {
    const bus = new EventBus();
    const apps = new AppRegistry({
      api: apiOn(bus),
      policy: { enabled: true, allow: ["kill", "restart"] },
    });
    apps.register({
      name: "viewer",
      timeoutMs: 150,
      action: "restart",
      restartCommand: ["/bin/sh", "-c", `echo restarted > ${dir}/out`],
      pid: null,
    });
    await until("the restart command ran", () => {
      try {
        return Deno.readTextFileSync(`${dir}/out`) === "restarted\n";
      } catch {
        return false;
      }
    });
    apps.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("registrations survive a restart of sup through the runtime state file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-apps-state-" });
  const child = spawnGroup();
  try {
    const path = `${dir}/state.json`;
    const first = new RuntimeStateFile(path, "/tmp/config.ts");
    const a = new AppRegistry({ api: apiOn(new EventBus()), store: first });
    const app = a.register({
      name: "player",
      timeoutMs: 400,
      action: "kill",
      restartCommand: null,
      pid: child.pid,
    });
    await first.flush();
    a.close(); // sup "dies": no timer fires in this registry

    const second = new RuntimeStateFile(path, "/tmp/config.ts");
    ok(second.readPrevious() !== null);
    const bus = new EventBus();
    const log = record(bus);
    const loadedAt = Date.now();
    const b = new AppRegistry({ api: apiOn(bus), store: second });
    deepStrictEqual(b.list().map((x) => [x.id, x.name, x.pid]), [[app.id, "player", child.pid]]);
    const missed = await log.waitFor((e) => e.type === "app.missed", "missed after reload");
    ok(missed.at - loadedAt >= 390, "deadline counted from the load");
    equal((await child.status).signal, "SIGKILL");
    await second.flush();
    const third = new RuntimeStateFile(path, "/tmp/config.ts");
    third.readPrevious();
    deepStrictEqual(third.section("apps"), [], "the ended registration is gone from the file");
    b.close();
    log.stop();
  } finally {
    await endGroup(child);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a kill of sup's own pid is refused at registration, naming why", () => {
  const bus = new EventBus();
  const apps = new AppRegistry({ api: apiOn(bus) });
  throws(
    () =>
      apps.register({
        name: "confused",
        timeoutMs: 100,
        action: "kill",
        restartCommand: null,
        pid: Deno.pid,
      }),
    (e: Error) =>
      e instanceof AppNotAllowedError && e.message === `pid: pid ${Deno.pid} is sup itself`,
  );
  deepStrictEqual(apps.list(), []);
  apps.close();
});
