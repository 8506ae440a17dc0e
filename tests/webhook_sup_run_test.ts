/**
 * The webhook built-in end to end through `sup run` (main.ts) on a JSON
 * config: crashes posted to a Slack-shaped endpoint (which fails at first
 * and is retried) and batched to a Discord-shaped one; a machine action is
 * notified through both webhooks (their notifiers) before its command runs.
 */

import { equal, match, ok } from "node:assert/strict";
import { until } from "../src/testing/wait.ts";
import { type Answer, type RecordedRequest, startHttpRecorder } from "./support/http_recorder.ts";
import { startSupProcess } from "./support/sup_run.ts";

Deno.test("sup run: webhooks post crashes to Slack and Discord shapes, retry a failing endpoint, and hear of a reboot before it runs", async () => {
  await using server = startHttpRecorder();
  let dir = "";
  const rebootedWhenNotified: boolean[] = [];
  let slackCalls = 0;
  server.answer = (request: RecordedRequest): Answer => {
    if (/Rebooting/.test(request.body)) {
      rebootedWhenNotified.push(exists(`${dir}/rebooted`));
    }
    if (request.path.startsWith("/services/") && slackCalls++ === 0) return { status: 500 };
    return { status: 204 };
  };
  await using sup = await startSupProcess((_ports, d) => {
    dir = d;
    return {
      machine: { rebootCommand: ["/bin/sh", "-c", `touch ${d}/rebooted`], restartAfter: 3 },
      listeners: [
        {
          kind: "webhook",
          name: "slack",
          url: `${server.url}/services/T0/B0/secret`,
          preset: "slack",
          on: ["job.exited"],
        },
        {
          kind: "webhook",
          name: "discord",
          url: `${server.url}/api/webhooks/1/token`,
          preset: "discord",
          interval: "300ms",
        },
      ],
      jobs: {
        crasher: {
          cmd: ["/bin/sh", "-c", "echo 'cannot open display' >&2; sleep 0.1; exit 2"],
          minUptime: "10ms",
          maxRetries: 1000,
        },
      },
    };
  });
  const bodies = (prefix: string) =>
    server.requests.filter((r) => r.path.startsWith(prefix)).map((r) => JSON.parse(r.body));

  // Slack: the first POST failed (500) and was tried again; crashes arrive as { text }.
  await until(
    () =>
      bodies("/services/").filter((b) => /job "crasher" exited with code 2/.test(b.text)).length >=
        2,
    "crash messages at the Slack endpoint",
    15_000,
  );
  // Each crash's line has its own time and uptime: the same text twice is the retry.
  const slack = bodies("/services/").filter((b) => /job "crasher" exited with code/.test(b.text));
  equal(slack[0].text, slack[1].text, "the failed POST is sent again");
  match(
    slack[0].text,
    /^\*sup on .+\*\n\d\d:\d\d:\d\d job "crasher" exited with code 2 after \d+ms; last stderr: cannot open display$/,
  );

  // Discord: batched { content } messages, at most 2,000 characters, pings turned off.
  const crashBatches = () =>
    bodies("/api/webhooks/").filter((b) => /^\*\*sup on [^*]+\*\*\n/.test(b.content));
  await until(() => crashBatches().length > 0, "a Discord message of crashes", 10_000);
  const discord = crashBatches()[0];
  ok(discord.content.length <= 2_000);
  equal(JSON.stringify(discord.allowed_mentions), '{"parse":[]}');
  match(discord.content, /job "crasher" exited with code 2/);

  // restartAfter: the reboot is notified through both webhooks before its command runs.
  await until(() => exists(`${dir}/rebooted`), "the reboot command ran", 15_000);
  await until(() => rebootedWhenNotified.length >= 2, "both webhooks notified", 10_000);
  equal(rebootedWhenNotified.slice(0, 2).join(), "false,false", "notified before the command ran");
  const notified = server.requests.filter((r) => /Rebooting/.test(r.body)).map((r) => r.path);
  ok(
    notified.some((p) => p.startsWith("/services/")) &&
      notified.some((p) => p.startsWith("/api/webhooks/")),
  );
  await sup.waitForLog(["REBOOTING THE MACHINE", "restartAfter is 3"], "the reboot is logged");
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
