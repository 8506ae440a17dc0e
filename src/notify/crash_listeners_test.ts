import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import type { ResolvedMailListener } from "../config/listener_crash_types.ts";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { Notification } from "../core/notifier_hub.ts";
import { createTestContext } from "../testing/listener_context.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { crashReport, create as crashmail, humanDuration, isUnexpectedExit } from "./crashmail.ts";
import { create as crashmailbatch } from "./crashmailbatch.ts";
import { create as crashsms, packSms, SMS_LIMIT } from "./crashsms.ts";
import { create as fatalmailbatch } from "./fatalmailbatch.ts";
import type { ListenerContext } from "./listener.ts";
import type { ExitEvent } from "./crashmail.ts";

const config: ResolvedConfig = {
  ...resolvedConfig([
    resolvedJob("web", ["true"], { groups: ["front"] }),
    resolvedJob("worker", ["true"], { noRestartExitCodes: [33] }),
  ]),
  mail: {
    transport: { kind: "sendmail", argv: ["sendmail", "-t"] },
    from: "sup@{hostname}",
    to: ["ops@example.com"],
    subjectPrefix: "[sup kiosk-3] ",
    maxQueue: 10,
    backoffInitialMs: 1,
    backoffMaxMs: 1,
    giveUpAfterMs: 1,
  },
};

/** A listener context that records notifications (`sent`). */
function fakeContext(): ListenerContext & { sent: Notification[] } {
  const t = createTestContext({ config });
  return Object.assign(t.ctx, { sent: t.notifications });
}

function settings(kind: ResolvedMailListener["kind"], extra: Partial<ResolvedMailListener> = {}) {
  return {
    kind,
    jobs: ["*"],
    to: null,
    from: null,
    subjectPrefix: "",
    intervalMs: 50,
    subject: kind === "crashsms" ? "crash" : "{count} crashes",
    ...extra,
  };
}

function exit(job: string, extra: Partial<ExitEvent> = {}): ExitEvent {
  return {
    type: "job.exited",
    job,
    pid: 4242,
    code: 3,
    signal: null,
    uptimeMs: 65_000,
    expected: false,
    stderrTail: ["Error: boom", "    at main (app.js:1)"],
    at: Date.UTC(2026, 11, 2, 14, 3, 5),
    ...extra,
  };
}

Deno.test("an unexpected exit: not asked for by sup, code not in noRestartExitCodes", () => {
  ok(isUnexpectedExit(exit("web"), config));
  ok(isUnexpectedExit(exit("web", { code: null, signal: "SIGSEGV" }), config));
  ok(!isUnexpectedExit(exit("web", { expected: true }), config));
  ok(!isUnexpectedExit(exit("worker", { code: 33 }), config));
  ok(isUnexpectedExit(exit("worker", { code: 1 }), config));
});

Deno.test("durations for people", () => {
  deepStrictEqual(
    [850, 42_000, 187_000, 7_500_000, 273_600_000].map(humanDuration),
    ["850ms", "42s", "3m 07s", "2h 05m", "3d 04h"],
  );
});

Deno.test("crashmail: one mail per crash of a selected job, with the report, only through mail", () => {
  const ctx = fakeContext();
  const listener = crashmail(
    settings("crashmail", { jobs: ["group:front"], subjectPrefix: "ALERT " }),
    ctx,
  );
  deepStrictEqual(listener.on, ["job.exited"]);
  listener.handle(exit("web"));
  listener.handle(exit("worker", { code: 1 })); // not selected
  listener.handle(exit("web", { expected: true })); // asked for
  equal(ctx.sent.length, 1);
  const [mail] = ctx.sent;
  equal(mail.subject, "ALERT web crashed (exit code 3)");
  deepStrictEqual(mail.only, ["mail"]);
  equal(mail.job, "web");
  equal(mail.to, undefined);
  match(mail.body, /Job "web" exited unexpectedly \(exit code 3\)/);
  match(mail.body, /PID 4242, up for 1m 05s/);
  match(mail.body, /Last lines of stderr:\n {2}Error: boom\n {6}at main/);
  equal(crashReport(exit("web", { stderrTail: [] })).endsWith("(no stderr output)"), true);
});

Deno.test("crashmailbatch: crashes within the interval in one mail to its own recipients", async () => {
  const ctx = fakeContext();
  const listener = crashmailbatch(
    settings("crashmailbatch", { to: ["team@example.com"], from: "kiosk@example.com" }),
    ctx,
  );
  for (const job of ["web", "worker", "web"]) listener.handle(exit(job, { code: 2 }));
  equal(ctx.sent.length, 0);
  await new Promise((r) => setTimeout(r, 120));
  equal(ctx.sent.length, 1);
  const [mail] = ctx.sent;
  equal(mail.subject, "3 crashes");
  deepStrictEqual(mail.to, ["team@example.com"]);
  equal(mail.from, "kiosk@example.com");
  equal(mail.body.match(/exited unexpectedly/g)?.length, 3);
  match(mail.body, /^3 crashes on .* within 0s:/);
  // Closing sends what is collected at once.
  listener.handle(exit("web"));
  await listener.close?.();
  equal(ctx.sent.length, 2);
  equal(ctx.sent[1].subject, "1 crashes");
});

Deno.test("fatalmailbatch: jobs that went fatal, batched", async () => {
  const ctx = fakeContext();
  const listener = fatalmailbatch(settings("fatalmailbatch", { subject: "{count} fatal" }), ctx);
  deepStrictEqual(listener.on, ["job.fatal"]);
  listener.handle({ type: "job.fatal", job: "web", message: "10 quick deaths in a row", at: 1 });
  listener.handle({ type: "job.fatal", job: "worker", message: "exec format error", at: 2 });
  await listener.close?.();
  equal(ctx.sent.length, 1);
  equal(ctx.sent[0].subject, "2 fatal");
  match(ctx.sent[0].body, /Job "web" is fatal: 10 quick deaths in a row/);
  match(ctx.sent[0].body, /Job "worker" is fatal: exec format error/);
});

Deno.test("packSms: as many lines as fit, at most 3 messages, the last counting the rest", () => {
  const lines = Array.from({ length: 40 }, (_, i) => `job${i} code 1 14:03:0${i % 10}`);
  const bodies = packSms(lines, 100);
  equal(bodies.length, 3);
  for (const body of bodies) ok(body.length <= 100, `${body.length}: ${body}`);
  const listed = bodies.join("; ").split("; ").filter((l) => l.startsWith("job")).length;
  const more = Number(bodies[2].match(/\+(\d+) more$/)?.[1]);
  equal(listed + more, 40);
  deepStrictEqual(packSms(["a", "b"], 100), ["a; b"]);
  deepStrictEqual(packSms([], 100), []);
  equal(packSms(["x".repeat(300)], 50)[0].length, 50);
});

Deno.test("crashsms: every message within 160 characters, subject and prefix counted", async () => {
  const ctx = fakeContext();
  const listener = crashsms(settings("crashsms", { to: ["5551234@txt.example.net"] }), ctx);
  for (let i = 0; i < 25; i++) listener.handle(exit(i % 2 ? "web" : "worker", { code: 1, at: i }));
  await listener.close?.();
  ok(ctx.sent.length >= 2 && ctx.sent.length <= 3, `${ctx.sent.length} messages`);
  for (const sms of ctx.sent) {
    const total = `[sup kiosk-3] ${sms.subject}`.length + 1 + sms.body.length;
    ok(total <= SMS_LIMIT, `${total}: ${sms.body}`);
    deepStrictEqual(sms.to, ["5551234@txt.example.net"]);
  }
  match(ctx.sent[0].body, /^(worker|web) code 1 \d\d:\d\d:\d\d; /);
});
