import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import { parseAccounts } from "./accounts.ts";
import { ConfigError, formatIssue } from "./config_error.ts";
import { resolveConfig } from "./resolve.ts";
import { validateConfig } from "./validate.ts";

const accounts = parseAccounts(
  "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n",
  "root:x:0:\nwww-data:x:33:\nvideo:x:44:www-data\n",
);
const source = "/srv/app/sup.config.ts";

async function problems(input: unknown, mode?: string, hostname = "laptop"): Promise<string[]> {
  const result = await validateConfig(input, { source, mode, hostname, accounts });
  return result.ok ? [] : result.issues.map(formatIssue);
}

function job(extra: Record<string, unknown>): unknown {
  return { jobs: { web: { cmd: "node web.js", ...extra }, db: { cmd: "postgres" } } };
}

const cases: [string, unknown, string[]][] = [
  ["no jobs", {}, [
    'jobs: no jobs (add at least one, e.g. jobs: { web: { cmd: "node server.js" } })',
  ]],
  ["empty jobs", { jobs: {} }, [
    'jobs: no jobs (add at least one, e.g. jobs: { web: { cmd: "node server.js" } })',
  ]],
  ["job without cmd", { jobs: { web: { dir: "www" } } }, [
    'jobs.web: missing "cmd" (the command to run, e.g. "node server.js")',
  ]],
  ["bad job name", { jobs: { "my job": { cmd: "x" } } }, [
    'jobs."my job": bad job name (use letters, digits, "-", "_" and ".")',
  ]],
  ["job that is not an object", { jobs: { web: "node web.js" } }, [
    'jobs.web: must be an object with at least "cmd", got "node web.js"',
  ]],
  ["unknown key with a suggestion", job({ restrat: "always" }), [
    'jobs.web.restrat: unknown option (did you mean "restart"?)',
  ]],
  ["unknown top-level section", { jobz: {}, jobs: { a: { cmd: "x" } } }, [
    'jobz: unknown section (did you mean "jobs"?)',
  ]],
  ["wrong types", job({ shell: "yes", env: { PORT: 80 }, after: "db" }), [
    'jobs.web.shell: must be true or false, got "yes"',
    'jobs.web.env.PORT: must be a string, got 80 (write "80")',
    'jobs.web.after: must be an array of strings, got "db"',
  ]],
  ["bad size", job({ maxMemory: "200XB" }), [
    'jobs.web.maxMemory: "200XB" is not a size (expected e.g. "512MB")',
  ]],
  ["bad durations", job({ minUptime: "10 secs", killTimeout: -1, bounce: 0 }), [
    'jobs.web.minUptime: "10 secs" is not a duration (expected e.g. "10s")',
    'jobs.web.killTimeout: -1 is not a duration (expected e.g. "10s")',
    "jobs.web.bounce: must be longer than 0",
  ]],
  ["a log file mode sup could not write", {
    jobs: { a: { cmd: "a" } },
    logging: { fileMode: 0o444 },
  }, ["logging.fileMode: must let sup's user read and write (include 0o600), got 0o444"]],
  ["durations past the longest one", job({ bounce: "400d", retryFatalAfter: 1e300 }), [
    "jobs.web.retryFatalAfter: 1e+300 is longer than the longest duration sup accepts (366d)",
    'jobs.web.bounce: "400d" is longer than the longest duration sup accepts (366d)',
  ]],
  ["bad signal and restart policy", job({ killSignal: "SIGTREM", restart: "sometimes" }), [
    'jobs.web.restart: "sometimes" is not a restart policy (expected "always", "on-failure" or "never")',
    'jobs.web.killSignal: "SIGTREM" is not a stop signal (expected "SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGKILL", "SIGUSR1" or "SIGUSR2") (did you mean "SIGTERM"?)',
  ]],
  ["exit codes out of range", job({ noRestartExitCodes: [33, 300, -1] }), [
    "jobs.web.noRestartExitCodes[1]: must be an exit code 0-255, got 300",
    "jobs.web.noRestartExitCodes[2]: must be an exit code 0-255, got -1",
  ]],
  ["negative maxRetries", { jobs: { api: { cmd: "api", maxRetries: -2 } } }, [
    "jobs.api.maxRetries: must be a whole number >= 0, got -2",
  ]],
  ["fractional maxRetries", { jobs: { api: { cmd: "api", maxRetries: 1.5 } } }, [
    "jobs.api.maxRetries: must be a whole number >= 0, got 1.5",
  ]],
  ["unknown after target", job({ after: ["dbb"] }), [
    'jobs.web.after[0]: unknown job "dbb" (did you mean "db"?)',
  ]],
  ["cycle among after", {
    jobs: {
      a: { cmd: "a", after: ["b"] },
      b: { cmd: "b", after: ["c"] },
      c: { cmd: "c", after: ["a"] },
    },
  }, ["jobs.a.after: jobs wait on each other in a cycle: a → b → c → a"]],
  ["job waiting on itself", { jobs: { a: { cmd: "a", after: ["a"] } } }, [
    'jobs.a.after[0]: "a" is this job itself (a job cannot wait for itself)',
  ]],
  ["empty command string", { jobs: { a: { cmd: "  " }, b: { cmd: "b", sideCommand: "" } } }, [
    'jobs.a.cmd: must not be empty (expected a command, e.g. "node server.js")',
    'jobs.b.sideCommand: must not be empty (expected a command, e.g. "node server.js")',
  ]],
  ["argv with a non-string", { jobs: { a: { cmd: ["node", 8080] } } }, [
    "jobs.a.cmd[1]: must be a string, got 8080",
  ]],
  [
    "units written the long way",
    job({ minUptime: "10sec", killTimeout: "5 min", maxMemory: "1.5GiB" }),
    [
      'jobs.web.minUptime: "10sec" is not a duration (expected e.g. "10s")',
      'jobs.web.killTimeout: "5 min" is not a duration (expected e.g. "5m")',
      'jobs.web.maxMemory: "1.5GiB" is not a size (expected e.g. "1.5GB")',
    ],
  ],
  ["a prefix of a choice", {
    jobs: { a: { cmd: "a", killSignal: "TERM" } },
    logging: { level: "warn" },
  }, [
    'jobs.a.killSignal: "TERM" is not a stop signal (expected "SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGKILL", "SIGUSR1" or "SIGUSR2") (did you mean "SIGTERM"?)',
    'logging.level: "warn" is not a log level (expected "debug", "info", "warning" or "error") (did you mean "warning"?)',
  ]],
  ["unknown user and group", job({ user: "bob", group: "wheel" }), [
    'jobs.web.user: unknown user "bob" (not in /etc/passwd)',
    'jobs.web.group: unknown group "wheel" (not in /etc/group; to put the job in a job group, write groups: ["wheel"])',
  ]],
  ["ports out of range", {
    jobs: { a: { cmd: "a" } },
    network: { http: { port: 70000 }, osc: { appPort: 0 } },
  }, [
    "network.http.port: must be a port number 1-65535, got 70000",
    "network.osc.appPort: must be a port number 1-65535, got 0",
  ]],
  ["ulimit values", job({ ulimit: { nofile: "lots", core: "infinity", stak: 1 } }), [
    'jobs.web.ulimit.stak: unknown limit (did you mean "stack"?)',
    'jobs.web.ulimit.nofile: must be a whole number >= 0 or "infinity", got "lots"',
  ]],
  ["cron strings", job({ schedule: { start: "61 * * * *", stop: "0 0 31 2 *" } }), [
    'jobs.web.schedule.start: "61 * * * *" is not a cron expression: Invalid value for minute: 61 (expected e.g. "0 4 * * *": minute hour day month weekday)',
    'jobs.web.schedule.stop: "0 0 31 2 *" never fires',
  ]],
  ["heartbeat fields", job({ heartbeat: { timeout: "fast", action: "reboot!", every: 1 } }), [
    "jobs.web.heartbeat.every: unknown key",
    'jobs.web.heartbeat.timeout: "fast" is not a duration (expected e.g. "10s")',
    'jobs.web.heartbeat.action: "reboot!" is not a heartbeat action (expected "restart", "kill", "reboot" or "none") (did you mean "reboot"?)',
  ]],
  ["unbalanced quote in cmd", { jobs: { a: { cmd: 'echo "hi' } } }, [
    'jobs.a.cmd: "echo \\"hi" has a double quote at position 6 that is never closed',
  ]],
  ["empty argv and shell with an array", {
    jobs: { a: { cmd: [] }, b: { cmd: ["sh"], shell: true } },
  }, [
    'jobs.a.cmd: must not be an empty array (expected e.g. ["node", "server.js"])',
    "jobs.b.shell: needs the command as one string, not an array",
  ]],
  ["logging and output files", {
    jobs: { a: { cmd: "a", stdout: true, stderr: { maxFiles: 0 } } },
    logging: { level: "verbose" },
  }, [
    "jobs.a.stdout: must be a file path, false, or { file, maxSize, maxFiles, daily }, got true",
    'jobs.a.stderr.file: missing (expected a path, e.g. "logs/web.log")',
    "jobs.a.stderr.maxFiles: must be a whole number >= 1, got 0",
    'logging.level: "verbose" is not a log level (expected "debug", "info", "warning" or "error")',
  ]],
  [
    "nested objects given as values",
    job({ backoff: "1s", heartbeat: true, schedule: "0 4 * * *", ulimit: 4096, dir: "" }),
    [
      'jobs.web.dir: must be a non-empty string, got ""',
      'jobs.web.backoff: must be an object like { initial: "1s", max: "60s" }, got "1s"',
      "jobs.web.ulimit: must be an object like { nofile: 4096 }, got 4096",
      'jobs.web.heartbeat: must be an object like { timeout: "10s" }, got true',
      'jobs.web.schedule: must be an object like { restart: "0 4 * * *" }, got "0 4 * * *"',
    ],
  ],
  ["app settings that are not JSON data", {
    jobs: { a: { cmd: "a" } },
    app: { big: 1n, screen: { onTap: () => 1 } },
  }, [
    "app.big: must be JSON data (a string, number, boolean, null, array or object), got a bigint 1",
    "app.screen.onTap: must be JSON data (a string, number, boolean, null, array or object), got a function",
  ]],
  ["a section that is a class instance", { jobs: { a: { cmd: "a" } }, network: new Map() }, [
    "network: must be an object, got a Map",
  ]],
  ["wait given job names", {
    jobs: { db: { cmd: "db" }, a: { cmd: "a", wait: "db" }, b: { cmd: "b", wait: ["db"] } },
  }, [
    'jobs.a.wait: must be true or false, got "db" (to start after other jobs, write after: ["db"])',
    'jobs.b.wait: must be true or false, got an array ["db"] (to start after other jobs, write after: ["db"])',
  ]],
  ["backoff initial above max", job({ backoff: { initial: "2m", max: "1m" } }), [
    "jobs.web.backoff.initial: must not be longer than backoff.max",
  ]],
  ["modes nested in a mode section", { jobs: { a: { cmd: "a" } }, modes: { dev: { modes: {} } } }, [
    'modes.dev.modes: a mode section cannot hold modes (write them side by side, e.g. "dev.foo")',
  ]],
  ["a config that is not an object", "jobs", [
    'The config must be an object (export default defineConfig({ jobs: {...} })), got "jobs"',
  ]],
];

for (const [name, input, expected] of cases) {
  Deno.test(`validation reports ${name}`, async () => {
    deepStrictEqual(await problems(input), expected);
  });
}

Deno.test("validation reports every problem at once, mode sections included", async () => {
  const found = await problems({
    jobs: { web: { cmd: "x", maxMemory: "200XB" }, api: { maxRetries: -2 } },
    network: { http: { port: 0 } },
    modes: {
      dev: { jobs: { web: { restart: "nope" } } },
      "@kiosk": { logging: { levle: "debug" } },
    },
  });
  deepStrictEqual(found, [
    'jobs.web.maxMemory: "200XB" is not a size (expected e.g. "512MB")',
    'jobs.api: missing "cmd" (the command to run, e.g. "node server.js")',
    "jobs.api.maxRetries: must be a whole number >= 0, got -2",
    "network.http.port: must be a port number 1-65535, got 0",
    'modes.dev.jobs.web.restart: "nope" is not a restart policy (expected "always", "on-failure" or "never")',
    'modes."@kiosk".logging.levle: unknown key (did you mean "level"?)',
  ]);
});

Deno.test("an issue in the selected mode is reported once, at the mode's path", async () => {
  const input = {
    jobs: { web: { cmd: "x" } },
    modes: { dev: { jobs: { web: { maxMemory: "1XB" } } } },
  };
  deepStrictEqual(await problems(input, "dev"), [
    'modes.dev.jobs.web.maxMemory: "1XB" is not a size (expected e.g. "512MB")',
  ]);
});

Deno.test("an unknown mode is reported with the known modes", async () => {
  deepStrictEqual(await problems({ jobs: { a: { cmd: "a" } }, modes: { dev: {} } }, "prod"), [
    'Unknown mode "prod" (known modes: "dev")',
  ]);
  deepStrictEqual(await problems({ jobs: { a: { cmd: "a" } }, modes: { dev: {} } }, "dve"), [
    'Unknown mode "dve" (known modes: "dev") (did you mean "dev"?)',
  ]);
});

Deno.test("a mode may add a job; the merged config must then be complete", async () => {
  const input = {
    jobs: { a: { cmd: "a" } },
    modes: { dev: { jobs: { b: { cmd: "b", after: ["a"] } } }, "dev.x": { jobs: { b: {} } } },
  };
  deepStrictEqual(await problems(input), []);
  deepStrictEqual(await problems(input, "dev.x"), []);
  deepStrictEqual(
    await problems({ ...input, modes: { dev: { jobs: { b: { after: ["c"] } } } } }, "dev"),
    [
      'jobs.b.after[0]: unknown job "c"',
      'modes.dev.jobs.b: "b" is not a job of the config, and this section gives it no "cmd"',
    ],
  );
});

Deno.test("a mode section naming a misspelt job is reported whichever mode is selected", async () => {
  const input = {
    jobs: { web: { cmd: "node web.js" } },
    modes: { dev: { jobs: { wbe: { env: { DEBUG: "1" } } } } },
  };
  const expected =
    'modes.dev.jobs.wbe: "wbe" is not a job of the config, and this section gives it no "cmd" (did you mean "web"?)';
  deepStrictEqual(await problems(input), [expected]);
  deepStrictEqual(await problems(input, "dev"), [expected]);
});

Deno.test("resolving applies every default", async () => {
  const config = await resolveConfig({ jobs: { web: { cmd: 'node "my server.js"' } } }, {
    source,
    hostname: "h",
    accounts,
  });
  equal(config.source, source);
  deepStrictEqual(config.modes, []);
  deepStrictEqual(config.jobs, [{
    name: "web",
    argv: ["node", "my server.js"],
    dir: "/srv/app",
    env: {},
    clearEnv: false,
    uid: null,
    gid: null,
    groups: [],
    ulimit: { nofile: null, nproc: null, core: null, memlock: null, stack: null },
    stdin: null,
    stdout: { kind: "log" },
    stderr: { kind: "log" },
    restart: "always",
    noRestartExitCodes: [33],
    minUptimeMs: 10_000,
    backoffInitialMs: 1000,
    backoffMaxMs: 60_000,
    maxRetries: 10,
    retryFatalAfterMs: null,
    killSignal: "SIGTERM",
    killTimeoutMs: 5000,
    once: false,
    wait: false,
    after: [],
    disabled: false,
    bounceMs: null,
    depends: [],
    maxMemoryBytes: null,
    heartbeat: null,
    health: null,
    schedule: { start: null, stop: null, restart: null },
    sideCommand: null,
    postLaunchCommand: null,
  }]);
  deepStrictEqual(config.network, {
    http: { host: "127.0.0.1", port: 8888, hosts: [], metrics: "open" },
    websocket: {
      host: "127.0.0.1",
      port: 3001,
      hosts: [],
      origins: [],
      maxMessageBytes: 64 * 1024,
      maxQueuedBytes: 1024 * 1024,
      maxConnections: 256,
    },
    osc: { host: "127.0.0.1", port: 3002, appHost: "127.0.0.1", appPort: 3003 },
    report: [],
    control: null,
    name: null, // issue 10: derived from the config path
    socket: { path: null, mode: 0o600, gid: null },
  });
  deepStrictEqual(config.logging, {
    level: "info",
    format: "text",
    file: null,
    maxBytes: 10485760,
    maxFiles: 5,
    fileMode: 0o600,
    events: null,
    mail: null,
    screenshots: null,
  });
  deepStrictEqual(config.app, {});
});

Deno.test("resolving converts units, paths, ids, shell and wait", async () => {
  const config = await resolveConfig({
    jobs: {
      setup: { cmd: "make", wait: true },
      web: {
        cmd: "echo $HOME | tee out",
        shell: true,
        dir: "www",
        user: "www-data",
        group: "video",
        stdin: "/dev/null",
        stdout: "logs/web.log",
        stderr: false,
        maxMemory: "200MB",
        bounce: "1h",
        depends: ["../etc/web.conf"],
        heartbeat: { timeout: "5s" },
        ulimit: { nofile: 4096, core: "infinity" },
        sideCommand: ["tail", "-f", "x"],
        after: ["setup"],
      },
      num: { cmd: "x", user: 33 },
    },
    network: { host: "0.0.0.0", osc: { port: 9000 } },
    logging: { file: "sup.log", maxSize: "1MB" },
    modes: { "@Laptop": { app: { screen: 2 } } },
  }, { source, hostname: "laptop", accounts });
  const [setup, web, num] = config.jobs;
  deepStrictEqual([setup.once, setup.wait], [true, true]);
  deepStrictEqual(web.argv, ["/bin/sh", "-c", "echo $HOME | tee out"]);
  equal(web.dir, "/srv/app/www");
  deepStrictEqual([web.uid, web.gid, num.uid, num.gid], [33, 44, 33, 33]);
  deepStrictEqual(web.stdout, {
    kind: "file",
    path: "/srv/app/logs/web.log",
    maxBytes: 10485760,
    maxFiles: 5,
    daily: true,
    mode: 0o600,
  });
  deepStrictEqual(web.stderr, { kind: "discard" });
  deepStrictEqual([web.maxMemoryBytes, web.bounceMs], [200 * 1024 * 1024, 3_600_000]);
  deepStrictEqual(web.depends, ["/srv/etc/web.conf"]);
  deepStrictEqual(web.heartbeat, { timeoutMs: 5000, startupTimeoutMs: 60_000, action: "restart" });
  deepStrictEqual(web.ulimit, {
    nofile: 4096,
    nproc: null,
    core: "infinity",
    memlock: null,
    stack: null,
  });
  deepStrictEqual(web.sideCommand, ["tail", "-f", "x"]);
  deepStrictEqual(config.network.osc, {
    host: "0.0.0.0",
    port: 9000,
    appHost: "127.0.0.1",
    appPort: 3003,
  });
  deepStrictEqual(config.network.http, {
    host: "0.0.0.0",
    port: 8888,
    hosts: [],
    metrics: "open",
  });
  deepStrictEqual(config.logging.file, "/srv/app/sup.log");
  deepStrictEqual(config.modes, ["@Laptop"]);
  deepStrictEqual(config.app, { screen: 2 });
});

Deno.test("resolveConfig rejects with a ConfigError carrying every issue", async () => {
  await rejects(
    () =>
      resolveConfig({ jobs: { a: {}, b: { cmd: "b", maxRetries: -1 } } }, {
        source,
        accounts,
        hostname: "h",
      }),
    (error) => {
      ok(error instanceof ConfigError);
      equal(error.name, "ConfigError");
      equal(error.issues.length, 2);
      ok(error.message.includes("jobs.b.maxRetries: must be a whole number >= 0, got -1"));
      return true;
    },
  );
});
