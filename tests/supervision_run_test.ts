/**
 * `sup run` end to end: a real sup subprocess, a real config file edited
 * while it runs, SIGTERM, and a sup killed with SIGKILL then started again.
 */

import { equal, ok } from "node:assert/strict";
import { alive, until } from "./support/event_log.ts";
import { SupProcess } from "./support/sup_process.ts";
import { freeTcpPort } from "./support/ports.ts";

/** A job that records its pid in `<dir>/<name>.pids` and sleeps (with a grandchild when asked). */
function job(dir: string, name: string, extra = "", grandchild = false): string {
  const pre = grandchild ? `sleep 300 & echo $! >> ${dir}/${name}.kids; ` : "";
  const script = `${pre}echo $$ >> ${dir}/${name}.pids; ${grandchild ? "wait" : "exec sleep 300"}`;
  return `${JSON.stringify(name)}: { cmd: ["/bin/sh", "-c", ${JSON.stringify(script)}]${extra} },`;
}

const network =
  `network: { http: { port: ${freeTcpPort()} }, websocket: { port: ${freeTcpPort()} }, ` +
  `osc: { port: ${freeTcpPort()}, appPort: ${freeTcpPort()} } },`;

function configText(jobs: string[]): string {
  return `import { defineConfig } from "sup";\nexport default defineConfig({ ${network}\njobs: {\n${
    jobs.join("\n")
  }\n} });\n`;
}

function pids(dir: string, name: string, kind = "pids"): number[] {
  try {
    return Deno.readTextFileSync(`${dir}/${name}.${kind}`).trim().split("\n").filter(Boolean).map(
      Number,
    );
  } catch {
    return [];
  }
}

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sup-run-test-" });
  try {
    await body(dir);
  } finally {
    // End anything a failed test left, by the pids recorded.
    for (const entry of Deno.readDirSync(dir)) {
      if (!/\.(pids|kids)$/.test(entry.name)) continue;
      for (const pid of pids(dir, entry.name.replace(/\.\w+$/, ""), entry.name.split(".").pop())) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("hot reload adds, removes and restarts changed jobs, keeps unchanged PIDs, survives an invalid edit", async () => {
  await withDir(async (dir) => {
    const config = `${dir}/sup.config.ts`;
    await Deno.writeTextFile(config, configText([job(dir, "a"), job(dir, "b"), job(dir, "c")]));
    const sup = new SupProcess(config, { SUP_STATE_DIR: dir });
    try {
      await sup.waitFor(/running ".*sup\.config\.ts"/);
      await until(
        () => ["a", "b", "c"].every((n) => pids(dir, n).length === 1),
        "a, b and c started",
      );
      const [a1, b1, c1] = ["a", "b", "c"].map((n) => pids(dir, n)[0]);

      await Deno.writeTextFile(
        config,
        configText([job(dir, "a"), job(dir, "b", `, env: { X: "2" }`), job(dir, "d")]),
      );
      await sup.waitFor(/Config reloaded \(added: d; removed: c; changed: b\)/);
      await until(
        () => pids(dir, "d").length === 1 && pids(dir, "b").length === 2,
        "b restarted and d started",
      );
      await until(() => !alive(c1) && !alive(b1), "c and the old b are gone");
      equal(pids(dir, "a").length, 1, "a was not restarted");
      ok(alive(a1), "a keeps its process");
      ok(alive(pids(dir, "b")[1]));

      const mark = sup.lines.length;
      await Deno.writeTextFile(
        config,
        configText([
          job(dir, "a", ", maxRetries: -2"),
          job(dir, "b", `, env: { X: "2" }`),
          job(dir, "d"),
        ]),
      );
      await sup.waitFor(/jobs\.a\.maxRetries: .*-2/, 10_000, mark);
      await sup.waitFor(/running config stays/, 10_000, mark);
      equal(pids(dir, "a").length, 1);
      ok(alive(a1), "an invalid edit keeps the running jobs");
      equal(pids(dir, "b").length, 2);
      equal(pids(dir, "d").length, 1);

      sup.kill("SIGTERM");
      const status = await sup.exit();
      equal(status.code, 0);
      for (const pid of [a1, pids(dir, "b")[1], pids(dir, "d")[0]]) {
        ok(!alive(pid), `job ${pid} stopped with sup`);
      }
    } finally {
      sup.kill("SIGKILL");
      await sup.exit();
    }
  });
});

Deno.test("sup killed with SIGKILL then restarted leaves exactly one copy of each job", async () => {
  await withDir(async (dir) => {
    const config = `${dir}/sup.config.ts`;
    await Deno.writeTextFile(config, configText([job(dir, "a"), job(dir, "b", "", true)]));
    const first = new SupProcess(config, { SUP_STATE_DIR: dir });
    let second: SupProcess | null = null;
    try {
      await until(
        () =>
          pids(dir, "a").length === 1 && pids(dir, "b").length === 1 &&
          pids(dir, "b", "kids").length === 1,
        "jobs started",
      );
      // The state file is written off the spawn path: wait until it lists both groups.
      const stateFile = () =>
        [...Deno.readDirSync(dir)].find((e) => e.name.endsWith(".json"))?.name;
      await until(() => {
        const name = stateFile();
        if (!name) return false;
        try {
          const jobs = JSON.parse(Deno.readTextFileSync(`${dir}/${name}`)).jobs;
          return "a" in jobs && "b" in jobs;
        } catch {
          return false;
        }
      }, "the state file records both jobs");
      first.kill("SIGKILL");
      await first.exit();
      const [a1, b1, kid1] = [pids(dir, "a")[0], pids(dir, "b")[0], pids(dir, "b", "kids")[0]];
      ok(alive(a1) && alive(b1) && alive(kid1), "jobs outlive a killed sup");

      second = new SupProcess(config, { SUP_STATE_DIR: dir });
      await second.waitFor(/left running by a previous sup/);
      await until(
        () => pids(dir, "a").length === 2 && pids(dir, "b").length === 2,
        "jobs started again",
      );
      ok(!alive(a1) && !alive(b1) && !alive(kid1), "the old copies (grandchild included) are gone");
      ok(alive(pids(dir, "a")[1]) && alive(pids(dir, "b")[1]));
      second.kill("SIGTERM");
      equal((await second.exit()).code, 0);
    } finally {
      first.kill("SIGKILL");
      await first.exit();
      second?.kill("SIGKILL");
      await second?.exit();
    }
  });
});

Deno.test("SIGHUP reloads the config, SIGUSR1 reopens log files, neither stops sup", async () => {
  await withDir(async (dir) => {
    const config = `${dir}/sup.config.ts`;
    await Deno.writeTextFile(config, configText([job(dir, "a")]));
    const sup = new SupProcess(config, { SUP_STATE_DIR: dir });
    try {
      await sup.waitFor(/running ".*sup\.config\.ts"/);
      await until(() => pids(dir, "a").length === 1, "a started");
      sup.kill("SIGUSR1");
      sup.kill("SIGHUP");
      await sup.waitFor(/Config reloaded \(added: none; removed: none; changed: none\)/);
      ok(alive(sup.pid));
      equal(pids(dir, "a").length, 1);
      sup.kill("SIGINT");
      equal((await sup.exit()).code, 0);
      ok(!alive(pids(dir, "a")[0]));
    } finally {
      sup.kill("SIGKILL");
      await sup.exit();
    }
  });
});
