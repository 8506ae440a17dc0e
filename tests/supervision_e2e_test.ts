/**
 * `sup run` end to end, one real sup subprocess per test: what a job sees
 * (user, dir, env, limits, stdin), its output files (size and daily
 * rotation, gzip, maxFiles, SIGUSR1), commands that cannot start, and
 * reloads from an imported file and from SIGHUP.
 */

import { exists } from "./support/files.ts";
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { alive, until } from "./support/event_log.ts";
import { SupProcess } from "./support/sup_process.ts";
import { freeTcpPort } from "./support/ports.ts";

function network(): string {
  return `network: { http: { port: ${freeTcpPort()} }, websocket: { port: ${freeTcpPort()} }, ` +
    `osc: { port: ${freeTcpPort()}, appPort: ${freeTcpPort()} } },`;
}

/** A config module: `jobs` is the text of the jobs object's entries; `head` goes before it. */
function configText(jobs: string, head = ""): string {
  return `import { defineConfig } from "sup";\n${head}\nexport default defineConfig({ ${network()}\n` +
    `jobs: {\n${jobs}\n} });\n`;
}

const sh = (script: string) => JSON.stringify(["/bin/sh", "-c", script]);

function read(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/** Pids written one per line to `path`. */
function pidsIn(path: string): number[] {
  return read(path).split("\n").filter(Boolean).map(Number);
}

async function gunzip(path: string): Promise<string> {
  const bytes = await Deno.readFile(path);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).text();
}

/** Runs `body` with a fresh world-readable temp dir and a sup on `config`; ends sup and every recorded pid. */
async function withSup(
  files: (dir: string) => Record<string, string>,
  body: (sup: SupProcess, dir: string) => Promise<void>,
  options: { env?: Record<string, string>; setup?: (dir: string) => Promise<void> } = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sup-e2e-test-" });
  await Deno.chmod(dir, 0o755); // jobs run as nobody in some tests
  for (const [name, text] of Object.entries(files(dir))) {
    const path = `${dir}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(path, text);
  }
  await options.setup?.(dir);
  const sup = new SupProcess(`${dir}/sup.config.ts`, { SUP_STATE_DIR: dir, ...options.env });
  try {
    await body(sup, dir);
  } finally {
    // A failed test still stops its jobs through sup (SIGKILL only if sup hangs).
    sup.kill("SIGTERM");
    await sup.exit(10_000);
    for (const entry of Deno.readDirSync(dir)) {
      if (!entry.name.endsWith(".pids")) continue;
      for (const pid of pidsIn(`${dir}/${entry.name}`)) {
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

async function stop(sup: SupProcess): Promise<void> {
  sup.kill("SIGTERM");
  equal((await sup.exit()).code, 0, "sup exits 0 on SIGTERM");
}

Deno.test("sup run: a job runs as nobody in its dir relative to the config, with env, ulimit and stdin", async () => {
  const script = (out: string) =>
    `echo $$ >> ${out}/job.pids; pwd > ${out}/pwd; id -u > ${out}/uid; ` +
    `cat /proc/self/limits > ${out}/limits; tr '\\0' '\\n' < /proc/self/environ > ${out}/environ; ` +
    `cat > ${out}/stdin; touch ${out}/done; exec sleep 300`;
  await withSup((dir) => ({
    "sup.config.ts": configText(`
      probe: {
        cmd: ${sh(script(`${dir}/out`))}, dir: "work", user: "nobody", stdin: "input.txt",
        env: { FOO: "bar" }, ulimit: { nofile: 777, nproc: 555 },
      },
      bare: {
        cmd: ${sh(`tr '\\0' '\\n' < /proc/self/environ > ${dir}/bare/environ; exec sleep 300`)},
        clearEnv: true, env: { PATH: "/usr/bin:/bin", ONLY: "1" },
      },`),
    "input.txt": "line from the stdin file\n",
    "work/.keep": "",
    "out/.keep": "",
    "bare/.keep": "",
  }), async (sup, dir) => {
    await until(() => exists(`${dir}/out/done`), "the probe wrote what it sees", 10_000);
    equal(read(`${dir}/out/pwd`).trim(), `${dir}/work`);
    equal(read(`${dir}/out/uid`).trim(), "65534");
    match(read(`${dir}/out/limits`), /Max open files\s+777\s+777/);
    match(read(`${dir}/out/limits`), /Max processes\s+555\s+555/);
    const environ = read(`${dir}/out/environ`).split("\n");
    ok(environ.includes("FOO=bar"), environ.join(" "));
    ok(environ.includes("SUP_JOB=probe"));
    ok(environ.includes("SUP_E2E_MARK=from-sup"), "sup's own environment is inherited");
    equal(read(`${dir}/out/stdin`), "line from the stdin file\n");
    await until(() => read(`${dir}/bare/environ`) !== "", "the clearEnv job wrote its environment");
    const bare = read(`${dir}/bare/environ`).split("\n").filter(Boolean).sort();
    deepStrictEqual(
      bare.filter((v) => !/^SUP_(OSC_HOST|OSC_PORT|WS_URL|HTTP_URL)=/.test(v)),
      ["ONLY=1", "PATH=/usr/bin:/bin", "SUP_JOB=bare"],
    );
    equal(bare.length, 7, "and where sup listens (tests/supervision_env_test.ts)");
    await stop(sup);
  }, {
    env: { SUP_E2E_MARK: "from-sup" },
    setup: (dir) => Deno.chmod(`${dir}/out`, 0o777),
  });
});

Deno.test("sup run: output files rotate by size and by day, gzipped, keeping maxFiles", async () => {
  // 40 lines of 100 bytes = 4000 bytes through a 1 KB limit: several rotations.
  const burst =
    `i=0; while [ $i -lt 40 ]; do printf '%099d\\n' $i; i=$((i+1)); done; exec sleep 300`;
  await withSup((dir) => ({
    "sup.config.ts": configText(`
      sized: {
        cmd: ${sh(`echo $$ >> ${dir}/sized.pids; ${burst}`)},
        stdout: { file: "logs/sized.log", maxSize: "1KB", maxFiles: 2 },
      },
      daily: {
        cmd: ${sh(`echo $$ >> ${dir}/daily.pids; echo today; exec sleep 300`)},
        stdout: { file: "logs/daily.log", daily: true },
      },`),
    "logs/daily.log": "yesterday\n",
  }), async (sup, dir) => {
    const logs = `${dir}/logs`;
    // daily.log was last written yesterday (setup): sup rotates it before writing today's line.
    await until(() => read(`${logs}/daily.log`) === "today\n", "today's line is in a fresh file");
    await until(() => exists(`${logs}/daily.log.1.gz`), "yesterday's file was archived");
    equal(await gunzip(`${logs}/daily.log.1.gz`), "yesterday\n");

    const all = () =>
      [...Deno.readDirSync(logs)].map((e) => e.name).filter((n) => n.startsWith("sized"));
    await until(
      () =>
        exists(`${logs}/sized.log.2.gz`) &&
        read(`${logs}/sized.log`).includes(`${"0".repeat(97)}39`),
      "the burst was written and rotated twice",
    );
    await new Promise((r) => setTimeout(r, 300)); // let any last archive finish
    deepStrictEqual(all().sort(), ["sized.log", "sized.log.1.gz", "sized.log.2.gz"], "maxFiles 2");
    ok(Deno.statSync(`${logs}/sized.log`).size <= 1100, "the live file stays near maxSize");
    const newest = await gunzip(`${logs}/sized.log.1.gz`);
    ok(newest.length > 0 && newest.length <= 1100, `rotated file size ${newest.length}`);
    const lines = (newest + read(`${logs}/sized.log`)).split("\n").filter(Boolean);
    // The newest archive and the live file hold consecutive lines, in order, none cut.
    for (let i = 1; i < lines.length; i++) equal(Number(lines[i]), Number(lines[i - 1]) + 1);
    equal(Number(lines.at(-1)), 39);
    await stop(sup);
  }, {
    setup: async (dir) => {
      const yesterday = new Date(Date.now() - 36 * 3600_000);
      await Deno.utime(`${dir}/logs/daily.log`, yesterday, yesterday);
    },
  });
});

Deno.test("sup run: SIGUSR1 rotates files in place and reopens files logrotate moved", async () => {
  const ticker = (dir: string, name: string) =>
    sh(
      `echo $$ >> ${dir}/${name}.pids; i=0; while :; do echo ${name}-$i; i=$((i+1)); sleep 0.05; done`,
    );
  await withSup((dir) => ({
    "sup.config.ts": configText(`
      kept: { cmd: ${ticker(dir, "kept")}, stdout: "logs/kept.log" },
      moved: { cmd: ${ticker(dir, "moved")}, stdout: "logs/moved.log" },`),
  }), async (sup, dir) => {
    const logs = `${dir}/logs`;
    await sup.waitFor(/running ".*sup\.config\.ts"/);
    await until(
      () =>
        read(`${logs}/kept.log`).includes("kept-3") &&
        read(`${logs}/moved.log`).includes("moved-3"),
      "both jobs write",
    );
    await Deno.rename(`${logs}/moved.log`, `${logs}/moved.log.old`); // what logrotate does
    sup.kill("SIGUSR1");
    await until(() => exists(`${logs}/kept.log.1.gz`), "kept.log was rotated on SIGUSR1");
    match(await gunzip(`${logs}/kept.log.1.gz`), /^kept-0\nkept-1\nkept-2\nkept-3\n/);
    ok(!read(`${logs}/kept.log`).includes("kept-0\n"), "the live file starts afresh");
    await until(() => /moved-\d+/.test(read(`${logs}/moved.log`)), "moved.log was reopened");
    ok(read(`${logs}/moved.log.old`).startsWith("moved-0\n"));
    ok(!read(`${logs}/moved.log`).includes("moved-0\n"));
    ok(!exists(`${logs}/moved.log.1.gz`), "a moved file is reopened, not rotated");
    ok(alive(sup.pid));
    await stop(sup);
  });
});

Deno.test("sup run: commands that cannot start go fatal at once with the reason, other jobs run", async () => {
  await withSup((dir) => ({
    "sup.config.ts": configText(`
      missing: { cmd: "no-such-command-sup --x" },
      plainfile: { cmd: "./data.txt" },
      nodir: { cmd: "sleep 300", dir: "no/such/dir" },
      denied: { cmd: "./private/run.sh", user: "nobody" },
      badshebang: { cmd: "./bad.sh" },
      fine: { cmd: ${sh(`echo $$ >> ${dir}/fine.pids; exec sleep 300`)} },`),
    "data.txt": "not a program\n",
    "private/run.sh": "#!/bin/sh\nexec sleep 300\n",
    "bad.sh": "#!/no/such/interpreter\n",
  }), async (sup, dir) => {
    await sup.waitFor(/running ".*sup\.config\.ts"/);
    const fatal = async (job: string, why: RegExp) => {
      const line = await sup.waitFor(new RegExp(`job·${job}: Fatal: `));
      match(line, why);
    };
    await fatal("missing", /command "no-such-command-sup" was not found/);
    await fatal("plainfile", /command "\.\/data\.txt" is not executable \(permission denied\)/);
    await fatal("nodir", new RegExp(`directory "${dir}/no/such/dir" does not exist`));
    await fatal("denied", /cannot be reached by user 65534 \(permission denied on ".*\/private"\)/);
    await fatal(
      "badshebang",
      /command ".*bad\.sh" cannot be executed \(No such file or directory\)/,
    );
    await until(() => pidsIn(`${dir}/fine.pids`).length === 1, "the other job runs");
    await new Promise((r) => setTimeout(r, 300));
    for (const job of ["missing", "plainfile", "nodir", "denied", "badshebang"]) {
      const fatals = sup.lines.filter((l) => l.includes(`job·${job}: Fatal:`));
      equal(fatals.length, 1, `${job} went fatal once, no restart storm`);
      ok(!sup.lines.some((l) => l.includes(`job·${job}: Died quickly`)), `${job} had no backoff`);
    }
    ok(alive(pidsIn(`${dir}/fine.pids`)[0]));
    await stop(sup);
  }, {
    setup: async (dir) => {
      await Deno.chmod(`${dir}/private`, 0o700);
      await Deno.chmod(`${dir}/private/run.sh`, 0o755);
      await Deno.chmod(`${dir}/bad.sh`, 0o755);
    },
  });
});

/** A job that records its pid in `<dir>/<name>.pids` and sleeps. */
function sleeper(dir: string, name: string, extra = ""): string {
  return `${name}: { cmd: ${sh(`echo $$ >> ${dir}/${name}.pids; exec sleep 300`)}${extra} },`;
}

Deno.test("sup run: editing a file the config imports reloads; unchanged jobs keep their process", async () => {
  const jobs = (dir: string, x: string) =>
    `export const jobs = {
${sleeper(dir, "a")}
${sleeper(dir, "b", `, env: { X: "${x}" }`)}
};
`;
  await withSup((dir) => ({
    "sup.config.ts": `import { defineConfig } from "sup";
import { jobs } from "./parts/jobs.ts";
` +
      `export default defineConfig({ ${network()} jobs });
`,
    "parts/jobs.ts": jobs(dir, "1"),
  }), async (sup, dir) => {
    await sup.waitFor(/running ".*sup\.config\.ts"/);
    await until(
      () => pidsIn(`${dir}/a.pids`).length === 1 && pidsIn(`${dir}/b.pids`).length === 1,
      "a and b run",
    );
    const [a1, b1] = [pidsIn(`${dir}/a.pids`)[0], pidsIn(`${dir}/b.pids`)[0]];
    await Deno.writeTextFile(`${dir}/parts/jobs.ts`, jobs(dir, "2"));
    await sup.waitFor(/Config reloaded \(added: none; removed: none; changed: b\)/);
    await until(() => pidsIn(`${dir}/b.pids`).length === 2, "b restarted");
    await until(() => !alive(b1), "the old b is gone");
    equal(pidsIn(`${dir}/a.pids`).length, 1);
    ok(alive(a1), "a keeps its process");

    // An invalid edit of the imported file: errors name the file and the field; nothing restarts.
    const mark = sup.lines.length;
    await Deno.writeTextFile(
      `${dir}/parts/jobs.ts`,
      jobs(dir, "2").replace("a: {", 'a: { minUptime: "soon",'),
    );
    await sup.waitFor(/jobs\.a\.minUptime/, 10_000, mark);
    await sup.waitFor(/running config stays/, 10_000, mark);
    ok(alive(a1) && alive(pidsIn(`${dir}/b.pids`)[1]));
    equal(pidsIn(`${dir}/a.pids`).length, 1);
    equal(pidsIn(`${dir}/b.pids`).length, 2);
    await stop(sup);
  });
});

Deno.test("sup run: SIGHUP reloads what no watcher sees (data the config reads itself)", async () => {
  await withSup((dir) => ({
    "sup.config.ts": configText(
      `${sleeper(dir, "a", ", env: { LEVEL: level }")}
${sleeper(dir, "b")}`,
      `const level = Deno.readTextFileSync(import.meta.dirname + "/level.txt").trim();`,
    ),
    "level.txt": "1\n",
  }), async (sup, dir) => {
    await sup.waitFor(/running ".*sup\.config\.ts"/);
    await until(
      () => pidsIn(`${dir}/a.pids`).length === 1 && pidsIn(`${dir}/b.pids`).length === 1,
      "a and b run",
    );
    const b1 = pidsIn(`${dir}/b.pids`)[0];
    await Deno.writeTextFile(`${dir}/level.txt`, "2\n");
    await new Promise((r) => setTimeout(r, 300));
    ok(!sup.lines.some((l) => l.includes("Config reloaded")), "level.txt is not watched");
    sup.kill("SIGHUP");
    await sup.waitFor(/Config reloaded \(added: none; removed: none; changed: a\)/);
    await until(() => pidsIn(`${dir}/a.pids`).length === 2, "a restarted with the new level");
    equal(pidsIn(`${dir}/b.pids`).length, 1);
    ok(alive(b1));
    await stop(sup);
  });
});

Deno.test("sup run: bounce, depends (relative path) and sideCommand from the config take effect", async () => {
  await withSup((dir) => ({
    "sup.config.ts": configText(`
      ${sleeper(dir, "bounced", `, bounce: "400ms", minUptime: "100ms"`)}
      ${sleeper(dir, "watcher", `, depends: ["settings.json"]`)}
      ${
      sleeper(dir, "main", `, sideCommand: ${sh(`echo $$ >> ${dir}/side.pids; exec sleep 300`)}`)
    }`),
    "settings.json": '{"color":"red"}',
  }), async (sup, dir) => {
    await sup.waitFor(/running ".*sup\.config\.ts"/);
    await until(() => pidsIn(`${dir}/bounced.pids`).length >= 3, "bounced twice", 10_000);
    await until(() => pidsIn(`${dir}/side.pids`).length === 1, "the side command runs");
    const side = pidsIn(`${dir}/side.pids`)[0];
    ok(alive(side));
    await until(() => pidsIn(`${dir}/watcher.pids`).length === 1, "watcher runs");
    await new Promise((r) => setTimeout(r, 300)); // the depends probe has read the file
    await Deno.writeTextFile(`${dir}/settings.json`, '{"color":"blue"}');
    await until(() => pidsIn(`${dir}/watcher.pids`).length === 2, "content change restarts");
    await stop(sup);
    ok(!alive(side), "the side command stopped with its job");
  });
});
