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

    // A job kept stopped: start it by hand (later: `sup start report`).
    report: {
      cmd: ["/bin/sh", "-c", "echo nightly report; sleep 1"],
      once: true,
      disabled: true,
    },
  },
});
