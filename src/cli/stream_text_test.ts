import { equal } from "node:assert/strict";
import { eventText, logLineText, timeText } from "./stream_text.ts";

const at = Date.parse("2026-03-01T12:00:00.123Z");

Deno.test("a log line shows time, job, stream and text", () => {
  equal(timeText(at), "2026-03-01 12:00:00.123");
  equal(
    logLineText({ time: at, job: "web", stream: "stderr", line: "boom" }, {
      color: false,
      jobWidth: 6,
    }),
    "2026-03-01 12:00:00.123 web    err | boom",
  );
  const colored = logLineText({ time: at, job: "web", stream: "stdout", line: "ok" }, {
    color: true,
  });
  // deno-lint-ignore no-control-regex
  equal(colored.replace(/\x1b\[[0-9;]*m/g, ""), "2026-03-01 12:00:00.123 web out | ok");
  equal(colored.includes("\x1b["), true);
});

Deno.test("an event shows time, type, job, then its other fields", () => {
  equal(
    eventText({
      type: "job.exited",
      job: "api",
      pid: 42,
      code: 1,
      signal: null,
      uptimeMs: 1500,
      expected: false,
      stderrTail: ["no such file"],
      at,
    }, { color: false }),
    '2026-03-01 12:00:00.123 job.exited api pid=42 code=1 uptimeMs=1500 expected=false stderrTail=["no such file"]',
  );
  equal(
    eventText({
      type: "job.action",
      job: "api",
      action: "restart",
      reason: { source: "manual", detail: "sup restart" },
      at,
    }, { color: false }),
    '2026-03-01 12:00:00.123 job.action api action=restart reason="manual: sup restart"',
  );
  equal(
    eventText({ type: "sup.stopping", signal: "SIGTERM", at }, { color: false }),
    "2026-03-01 12:00:00.123 sup.stopping signal=SIGTERM",
  );
});
