/**
 * crashmail, crashmailbatch, fatalmailbatch and crashsms end to end: a real
 * `sup run` on a JSON config (descriptors with `kind`), real crashing jobs,
 * a real SMTP server. Also: a refusing SMTP server never delays restarts
 * (restart latency measured and printed), and crash screenshots arrive as
 * attachments.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { startSmtpServer, type TestSmtpServer } from "./support/smtp_server.ts";
import { startSupProcess } from "./support/sup_run.ts";

function mailTo(smtp: TestSmtpServer, extra: Record<string, unknown> = {}) {
  return {
    smtp: { host: "127.0.0.1", port: smtp.port, starttls: false },
    to: "ops@example.com",
    subjectPrefix: "[t] ",
    backoff: { initial: "100ms", max: "200ms" },
    ...extra,
  };
}

/** A job that writes to stderr and exits with `code` after `sleep` seconds. */
function crasher(code: number, sleep = "0.2", extra: Record<string, unknown> = {}) {
  return {
    cmd: [
      "/bin/sh",
      "-c",
      `echo "starting"; echo "fatal: out of cheese" >&2; sleep ${sleep}; exit ${code}`,
    ],
    minUptime: "50ms",
    backoff: { initial: "50ms", max: "50ms" },
    ...extra,
  };
}

Deno.test("crashmail: a mail per crash with the job, exit code and stderr; an exit in noRestartExitCodes sends none", async () => {
  await using smtp = await startSmtpServer();
  await using sup = await startSupProcess(() => ({
    jobs: {
      web: crasher(3, "0.3", { restart: "never", groups: ["front"] }),
      done: crasher(33, "0.1"),
      other: crasher(4, "0.1", { restart: "never" }),
    },
    mail: mailTo(smtp),
    listeners: [{
      kind: "crashmail",
      jobs: ["group:front", "done"],
      to: "oncall@example.com",
      subjectPrefix: "ALERT ",
    }],
  }));
  const [mail] = await smtp.waitForMessages(1, 15_000);
  deepStrictEqual(mail.to, ["oncall@example.com"]);
  equal(mail.subject, "[t] ALERT web crashed (exit code 3)");
  match(mail.text, /Job "web" exited unexpectedly \(exit code 3\)/);
  match(mail.text, /Last lines of stderr:\n {2}fatal: out of cheese/);
  await sup.waitForLog(['"other"', "exited with code 4"], "other's exit").catch(() => {});
  await new Promise((r) => setTimeout(r, 500));
  equal(smtp.messages.length, 1, smtp.messages.map((m) => m.subject).join(", "));
});

Deno.test("crashmailbatch: every crash within the interval in one mail", async () => {
  await using smtp = await startSmtpServer();
  await using _sup = await startSupProcess(() => ({
    jobs: { flappy: crasher(2, "0.05", { maxRetries: 100 }) },
    mail: mailTo(smtp),
    listeners: [{ kind: "crashmailbatch", interval: "1500ms", subject: "{count} crashes here" }],
  }));
  const [mail] = await smtp.waitForMessages(1, 15_000);
  const count = Number(mail.subject.match(/^\[t\] (\d+) crashes here$/)?.[1]);
  ok(count >= 3, mail.subject);
  equal(mail.text.match(/exited unexpectedly \(exit code 2\)/g)?.length, count);
  deepStrictEqual(mail.to, ["ops@example.com"]);
});

Deno.test("fatalmailbatch: a job that goes fatal is mailed with sup's reason", async () => {
  await using smtp = await startSmtpServer();
  await using _sup = await startSupProcess(() => ({
    jobs: { broken: crasher(1, "0", { maxRetries: 2 }) },
    mail: mailTo(smtp),
    listeners: [{ kind: "fatalmailbatch", interval: "300ms", from: "kiosk@example.com" }],
  }));
  const [mail] = await smtp.waitForMessages(1, 15_000);
  equal(mail.subject, "[t] 1 jobs fatal");
  equal(mail.from, "kiosk@example.com");
  match(mail.text, /Job "broken" is fatal: /);
});

Deno.test("crashsms: batched crash lines, every message within 160 characters", async () => {
  await using smtp = await startSmtpServer();
  await using _sup = await startSupProcess(() => ({
    jobs: Object.fromEntries(
      ["alpha-service", "beta-service", "gamma-service", "delta-service"].map((name) => [
        name,
        crasher(5, "0.05", { maxRetries: 100 }),
      ]),
    ),
    mail: mailTo(smtp),
    listeners: [{ kind: "crashsms", to: "5551234567@txt.example.net", interval: "1500ms" }],
  }));
  const messages = await smtp.waitForMessages(2, 15_000);
  for (const sms of messages) {
    deepStrictEqual(sms.to, ["5551234567@txt.example.net"]);
    const total = sms.subject.length + 1 + sms.text.trim().length;
    ok(total <= 160, `${total} characters: ${sms.subject} | ${sms.text}`);
    match(sms.text, /-service code 5 \d\d:\d\d:\d\d/);
  }
});

Deno.test("an SMTP server that refuses: jobs are restarted on time meanwhile, the mails go out once it recovers", async () => {
  await using smtp = await startSmtpServer();
  smtp.refuse(true);
  await using sup = await startSupProcess(() => ({
    jobs: { flappy: crasher(3, "0.2", { maxRetries: 1000, minUptime: "100ms" }) },
    mail: mailTo(smtp, { maxQueue: 5 }),
    listeners: [{ kind: "crashmail" }],
  }));
  await sup.waitForLog(["notify", "not delivered (will retry)", "421"], "a refused delivery");
  // Restart latency: from each exit to the next start, read from sup's debug log.
  await sup.waitForLog(["dropped the oldest mail"], "a full queue", 15_000);
  const stamp = (line: string) => Date.parse(line.slice(0, 23).replace(" ", "T"));
  const lines = sup.logLines();
  const latencies: number[] = [];
  lines.forEach((line, i) => {
    if (!/flappy: Process \d+ exited with code 3/.test(line)) return;
    const next = lines.slice(i).find((l) => /flappy: Started \(pid/.test(l));
    if (next) latencies.push(stamp(next) - stamp(line));
  });
  ok(latencies.length >= 5, `${latencies.length} restarts`);
  const sorted = [...latencies].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(
    `restart latency while the SMTP server refuses: median ${median} ms, max ${
      sorted.at(-1)
    } ms over ${latencies.length} restarts`,
  );
  ok(median < 500, `median restart latency ${median} ms`);
  smtp.refuse(false);
  const delivered = await smtp.waitForMessages(3, 15_000);
  for (const mail of delivered) match(mail.subject, /flappy crashed \(exit code 3\)/);
});

Deno.test("logging.screenshots: the picture of the crash is attached to the crash mail", async () => {
  await using smtp = await startSmtpServer();
  await using sup = await startSupProcess((_ports, dir) => {
    Deno.writeTextFileSync(
      `${dir}/capture.sh`,
      `#!/bin/sh\nprintf '\\211PNG\\r\\n\\032\\nfake picture' > "$1"\n`,
      { mode: 0o755 },
    );
    return {
      jobs: { kiosk: crasher(9, "0.2", { restart: "never" }) },
      mail: mailTo(smtp),
      logging: {
        screenshots: { command: `${dir}/capture.sh {file}`, file: "shots/crash-{date}.png" },
      },
      listeners: [{ kind: "crashmail" }],
    };
  });
  const [mail] = await smtp.waitForMessages(1, 15_000);
  equal(mail.attachments.length, 1);
  match(mail.attachments[0].filename, /^crash-\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d-\d{3}\.png$/);
  equal(mail.attachments[0].contentType, "image/png");
  const shots = [...Deno.readDirSync(`${sup.dir}/shots`)].map((e) => e.name);
  deepStrictEqual(shots, [mail.attachments[0].filename]);
});
