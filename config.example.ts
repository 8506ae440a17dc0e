/**
 * An example sup config: `deno task start` runs it. Watch the log: the
 * worker crashes every few seconds and sup restarts it; edit this file while
 * sup runs and the change applies at once (only the jobs you changed
 * restart). Stop with Ctrl-C: every job is stopped before sup exits.
 *
 * Hover any option in your editor for its documentation.
 */

import { defineConfig } from "sup";

export default defineConfig({
  jobs: {
    // A setup job: `wait: true` runs it to completion (exit 0) before any job
    // listed after it starts, like pmtr's wait jobs. A failing setup job is
    // retried with backoff (as restart: "on-failure") until it succeeds or
    // goes fatal; jobs after it keep waiting meanwhile.
    setup: {
      cmd: ["/bin/sh", "-c", "echo preparing the data directory; mkdir -p /tmp/sup-example"],
      wait: true,
    },

    // A small HTTP server. `cmd` is an argv array (no shell involved); a
    // string is split on spaces with double quotes grouping words.
    web: {
      cmd: ["deno", "run", "--allow-net", "--allow-env", "samples/http_server.ts"],
      // Environment variables, merged over sup's own (`clearEnv: true` starts empty).
      env: { PORT: "8080" },
      // Stop with this signal, sent to the job's whole process group, then
      // SIGKILL if it is still there after killTimeout.
      killSignal: "SIGTERM",
      killTimeout: "3s",
      // Where output goes: unset = sup's log, a path = a rotating file,
      // false = discarded.
      // stdout: "logs/web.log",
      // A file with its rotation: rotated past maxSize and at local midnight,
      // `maxFiles` gzipped copies kept (web.log.1.gz is the newest); send sup
      // SIGUSR1 to rotate now (or to reopen a file logrotate moved away).
      // stderr: { file: "logs/web.err", maxSize: "10MB", maxFiles: 5, daily: true },
      //
      // More options, each shown with an example value:
      // dir: "samples",                  // working directory, relative to this file
      // shell: true,                     // run `cmd` (a string) through /bin/sh -c
      // clearEnv: true,                  // start from an empty environment (`env` still applies)
      // user: "nobody", group: "nogroup", // drop privileges (sup must run as root)
      // stdin: "input.txt",              // a file fed to the job's standard input
      // sideCommand: "my-log-shipper logs/web.log", // a helper started and stopped with this job
      // postLaunchCommand: "curl -fsS http://127.0.0.1:8080/warm", // once per start, when ready
      // bounce: "1h",                    // restart periodically
      // depends: ["settings.json"],      // restart when a file's content changes
      // maxMemory: "200MB",              // restart when its memory passes this size
      // heartbeat: { timeout: "10s" },   // restart when its heartbeats stop
    },

    // A worker that crashes now and then: sup restarts it.
    worker: {
      cmd: ["deno", "run", "--allow-env", "samples/crashy_worker.ts"],
      // Start only once "web" is running (or ready, when it has a heartbeat).
      after: ["web"],
      // "always" (default), "on-failure" (not after exit 0) or "never".
      restart: "always",
      // A run shorter than minUptime counts as a quick death: sup waits
      // (backoff, doubling from `initial` up to `max`) before restarting, and
      // after maxRetries quick deaths in a row the job goes `fatal`. A run
      // that lasted longer is restarted at once.
      minUptime: "3s",
      backoff: { initial: "500ms", max: "10s" },
      maxRetries: 5,
      // Try a fatal job again after this long (unset: stay fatal until you
      // start it by hand or change its config).
      retryFatalAfter: "1m",
      // Exit codes that mean "do not restart me" (pmtr's 33 is the default).
      noRestartExitCodes: [33],
      // Resource limits, applied with util-linux `prlimit`.
      ulimit: { nofile: 1024 },
    },

    // An app that heartbeats over WebSocket with "sup/client"
    // (samples/deno_client.ts). It needs no address: sup gives every job
    // SUP_WS_URL, SUP_HTTP_URL, SUP_OSC_HOST, SUP_OSC_PORT and SUP_JOB, and
    // `connect()` reads them. If it goes quiet for longer than `timeout`,
    // or sends no first heartbeat within `startupTimeout`, sup restarts it.
    // Its first heartbeat makes it *ready*; postLaunchCommand runs then.
    kiosk: {
      cmd: ["deno", "run", "-A", "samples/deno_client.ts"],
      heartbeat: { timeout: "5s", startupTimeout: "30s", action: "restart" },
      postLaunchCommand: ["/bin/sh", "-c", "echo kiosk is ready"],
    },

    // A job kept stopped: start it by hand (POST /api/jobs/report/start).
    report: {
      cmd: ["/bin/sh", "-c", "echo nightly report; sleep 1"],
      once: true,
      disabled: true,
    },
  },

  // Free-form settings for your apps: GET http://127.0.0.1:8888/config,
  // `/config` over OSC, `configRequest` over WebSocket.
  app: { greeting: "Hello from sup", screen: 1 },

  // Where sup listens (these are the defaults, all on 127.0.0.1). sup exits
  // at start if it cannot bind one of them (change the port here), and tells
  // every job where they are (SUP_WS_URL, SUP_HTTP_URL, SUP_OSC_HOST/PORT).
  network: {
    http: { port: 8888 },
    websocket: { port: 3001 },
    osc: { port: 3002, appPort: 3003 },
  },
});
