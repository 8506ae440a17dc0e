/**
 * The mail notifier against a real SMTP server (npm smtp-server): plain
 * SMTP, STARTTLS with a self-signed certificate and AUTH, a wrong password,
 * a server that refuses then recovers, a server that is down with a bounded
 * queue, attachments, and sendmail mode with a recording script.
 */
import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import type { ResolvedMail } from "../src/config/mail_resolved.ts";
import { EventBus } from "../src/core/event_bus.ts";
import { MailNotifier } from "../src/notify/mail_notifier.ts";
import { resolvedConfig } from "../src/testing/resolved_job.ts";
import { record } from "./support/event_log.ts";
import { loopbackSmtp, startSmtpServer } from "./support/smtp_server.ts";

function smtpMail(port: number, extra: Partial<ResolvedMail> = {}): ResolvedMail {
  return {
    transport: loopbackSmtp(port),
    from: "sup@{hostname}",
    to: ["ops@example.com", "Dev <dev@example.com>"],
    subjectPrefix: "[sup {hostname}] ",
    maxQueue: 100,
    backoffInitialMs: 50,
    backoffMaxMs: 200,
    giveUpAfterMs: 60_000,
    ...extra,
  };
}

const config = { ...resolvedConfig([]), app: { site: "museum-west" } };

Deno.test("mail reaches a real SMTP server: recipients, templated subject and body, sender", async () => {
  await using server = await startSmtpServer();
  const bus = new EventBus();
  const events = record(bus);
  const notifier = new MailNotifier({ mail: smtpMail(server.port), config: () => config, bus });
  const delivery = await notifier.send({
    subject: "web crashed at {app.site}",
    body: "Job {job} on {hostname} ({mode}) exited; stderr kept {braces} as written",
    job: "web",
  });
  ok(delivery.ok, JSON.stringify(delivery));
  const [mail] = await server.waitForMessages(1);
  const host = Deno.hostname();
  deepStrictEqual(mail.to, ["ops@example.com", "dev@example.com"]);
  equal(mail.from, `sup@${host}`);
  equal(mail.subject, `[sup ${host}] web crashed at museum-west`);
  equal(
    mail.text.trim(),
    `Job web on ${host} (default) exited; stderr kept {braces} as written`,
  );
  const sent = await events.wait("notify.sent");
  equal(sent.notifier, "mail");
  equal(sent.attempts, 1);
  await notifier.close();
});

Deno.test("STARTTLS with a self-signed certificate (trusted through `ca`) and AUTH with the password from the environment", async () => {
  await using server = await startSmtpServer({
    starttls: true,
    auth: { user: "sup", pass: "s3cret" },
  });
  const mail = smtpMail(server.port);
  const env = "SUP_TEST_SMTP_PASS";
  Deno.env.set(env, "s3cret");
  mail.transport = {
    ...mail.transport as Extract<ResolvedMail["transport"], { kind: "smtp" }>,
    starttls: "required",
    user: "sup",
    pass: { env },
    ca: server.certFile,
  };
  const notifier = new MailNotifier({ mail, config: () => config, bus: null });
  const delivery = await notifier.test({ subject: "over TLS", body: "hello" });
  ok(delivery.ok, JSON.stringify(delivery));
  const [received] = await server.waitForMessages(1);
  equal(received.tls, true);
  equal(received.user, "sup");
  equal(received.text.trim(), "hello");

  // A wrong password is the server's error, and it is not retried.
  Deno.env.set(env, "wrong");
  const bus = new EventBus();
  const events = record(bus);
  const wrong = new MailNotifier({ mail, config: () => config, bus });
  const refused = await wrong.send({ subject: "x", body: "y" });
  ok(!refused.ok);
  match(refused.error, /535/);
  equal(events.all("notify.failed")[0].willRetry, false);

  // Without the variable, the error names it.
  Deno.env.delete(env);
  const unset = await wrong.test({ subject: "x", body: "y" });
  ok(!unset.ok);
  match(unset.error, /environment variable "SUP_TEST_SMTP_PASS" is not set/);

  // A certificate that is not trusted fails the upgrade.
  mail.transport = { ...mail.transport, ca: null, pass: { value: "s3cret" } };
  const untrusted = await new MailNotifier({ mail, config: () => config, bus: null })
    .test({ subject: "x", body: "y" });
  ok(!untrusted.ok);
  match(untrusted.error, /certificate/i);
  equal(server.messages.length, 1);
});

Deno.test("STARTTLS required against a server that does not offer it is an error", async () => {
  await using server = await startSmtpServer();
  const mail = smtpMail(server.port);
  mail.transport = {
    ...mail.transport as Extract<ResolvedMail["transport"], { kind: "smtp" }>,
    starttls: "required",
  };
  const delivery = await new MailNotifier({ mail, config: () => config, bus: null })
    .test({ subject: "x", body: "y" });
  ok(!delivery.ok);
  match(delivery.error, /STARTTLS/);
});

Deno.test("a refusing server, then one that is down: retried with backoff and delivered once it recovers", async () => {
  await using server = await startSmtpServer();
  const bus = new EventBus();
  const events = record(bus);
  const notifier = new MailNotifier({ mail: smtpMail(server.port), config: () => config, bus });
  server.refuse(true);
  const first = notifier.send({ subject: "while refusing", body: "1" });
  await events.wait("notify.failed", (e) => e.willRetry, { count: 2 });
  server.refuse(false);
  await server.down();
  await events.wait("notify.failed", (e) => /ECONNREFUSED/.test(e.error));
  await server.up();
  const delivery = await first;
  ok(delivery.ok, JSON.stringify(delivery));
  const sent = await events.wait("notify.sent");
  ok(sent.attempts >= 3, `attempts ${sent.attempts}`);
  match(events.all("notify.failed")[0].error, /421/);
  deepStrictEqual((await server.waitForMessages(1)).map((m) => m.subject), [
    `[sup ${Deno.hostname()}] while refusing`,
  ]);
  await notifier.close();
});

Deno.test("a server that is down: the queue keeps the newest messages, drops the oldest and says so", async () => {
  await using server = await startSmtpServer();
  await server.down();
  const bus = new EventBus();
  const events = record(bus);
  const notifier = new MailNotifier({
    mail: smtpMail(server.port, { maxQueue: 2, backoffInitialMs: 100, backoffMaxMs: 100 }),
    config: () => config,
    bus,
  });
  const results = ["m1", "m2", "m3", "m4"].map((s) => notifier.send({ subject: s, body: s }));
  const dropped = await events.wait("notify.dropped", () => true, { count: 2 });
  equal(dropped.dropped, 2);
  equal(notifier.queued, 2);
  await server.up();
  const outcomes = await Promise.all(results);
  deepStrictEqual(outcomes.map((o) => o.ok), [true, false, false, true]);
  const got = (await server.waitForMessages(2)).map((m) => m.subject.replace(/^\[.*?\] /, ""));
  deepStrictEqual(got, ["m1", "m4"]);
  await notifier.close();
});

Deno.test("attachments and a notification's own recipients and sender", async () => {
  await using server = await startSmtpServer();
  const notifier = new MailNotifier({
    mail: smtpMail(server.port),
    config: () => config,
    bus: null,
  });
  const delivery = await notifier.send({
    subject: "with a picture",
    body: "see attached",
    to: ["sms@gateway.example"],
    from: "kiosk@example.com",
    attachments: [{ filename: "shot.png", content: new Uint8Array([137, 80, 78, 71]) }],
  });
  ok(delivery.ok);
  const [mail] = await server.waitForMessages(1);
  deepStrictEqual(mail.to, ["sms@gateway.example"]);
  equal(mail.from, "kiosk@example.com");
  deepStrictEqual(mail.attachments, [{ filename: "shot.png", contentType: "image/png", size: 4 }]);
  await notifier.close();
});

Deno.test("sendmail mode pipes the message to the command as written", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-sendmail-" });
  try {
    const script = `${dir}/sendmail`;
    await Deno.writeTextFile(
      script,
      `#!/bin/sh\necho "$@" > ${dir}/args\ncat > ${dir}/message\n`,
      { mode: 0o755 },
    );
    const mail = smtpMail(0);
    mail.transport = { kind: "sendmail", argv: [script, "-t", "-i"] };
    const notifier = new MailNotifier({ mail, config: () => config, bus: null });
    const delivery = await notifier.send({ subject: "by sendmail", body: "piped" });
    ok(delivery.ok, JSON.stringify(delivery));
    equal((await Deno.readTextFile(`${dir}/args`)).trim(), "-t -i");
    const message = await Deno.readTextFile(`${dir}/message`);
    match(message, /^To: ops@example.com, Dev <dev@example.com>$/m);
    match(message, /^Subject: \[sup .*\] by sendmail$/m);
    match(message, /piped/);

    // A failing command is reported with its exit code and what it said.
    await Deno.writeTextFile(script, `#!/bin/sh\necho "no route" >&2\nexit 75\n`);
    const failed = await notifier.test({ subject: "x", body: "y" });
    ok(!failed.ok);
    equal(failed.error, "The sendmail command exited with code 75: no route");
    await notifier.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
