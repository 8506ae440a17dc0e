import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { parseAccounts } from "./accounts.ts";
import { formatIssue } from "./config_error.ts";
import { validateConfig } from "./validate.ts";

const accounts = parseAccounts("root:x:0:0:root:/root:/bin/bash\n", "root:x:0:\n");
const source = "/srv/app/sup.config.ts";
const jobs = { web: { cmd: "node web.js" } };

async function check(extra: Record<string, unknown>, mode?: string) {
  return await validateConfig({ jobs, ...extra }, { source, accounts, hostname: "kiosk", mode });
}

async function problems(extra: Record<string, unknown>, mode?: string): Promise<string[]> {
  const result = await check(extra, mode);
  return result.ok ? [] : result.issues.map(formatIssue);
}

Deno.test("mail with smtp resolves every default", async () => {
  const result = await check({
    mail: { smtp: { host: "smtp.example.com" }, to: "ops@example.com" },
  });
  ok(result.ok, JSON.stringify(result));
  deepStrictEqual(result.config.mail, {
    transport: {
      kind: "smtp",
      host: "smtp.example.com",
      port: 587,
      secure: false,
      starttls: "offered",
      user: null,
      pass: null,
      ca: null,
      timeoutMs: 30_000,
    },
    from: "sup@{hostname}",
    to: ["ops@example.com"],
    subjectPrefix: "[sup {hostname}] ",
    maxQueue: 100,
    backoffInitialMs: 5_000,
    backoffMaxMs: 300_000,
    giveUpAfterMs: 86_400_000,
  });
  equal(result.config.logging.mail, null);
});

Deno.test("a config without mail resolves mail to null", async () => {
  const result = await check({});
  ok(result.ok);
  equal(result.config.mail, null);
});

Deno.test("smtp options: secure port, required STARTTLS, AUTH with a password from the environment, CA path", async () => {
  const result = await check({
    mail: {
      smtp: {
        host: "127.0.0.1",
        starttls: true,
        user: "sup",
        pass: { env: "SMTP_PASS" },
        ca: "certs/ca.pem",
        timeout: "5s",
      },
      to: ["Ops <ops@example.com>", "b@example.com"],
      from: "kiosk@example.com",
      subjectPrefix: "",
      backoff: { initial: "1s", max: "10s" },
      maxQueue: 5,
    },
  });
  ok(result.ok, JSON.stringify(result));
  const mail = result.config.mail!;
  deepStrictEqual(mail.transport, {
    kind: "smtp",
    host: "127.0.0.1",
    port: 587,
    secure: false,
    starttls: "required",
    user: "sup",
    pass: { env: "SMTP_PASS" },
    ca: "/srv/app/certs/ca.pem",
    timeoutMs: 5_000,
  });
  deepStrictEqual(mail.to, ["Ops <ops@example.com>", "b@example.com"]);
  equal(mail.subjectPrefix, "");
  equal(mail.maxQueue, 5);
  equal(mail.backoffMaxMs, 10_000);
  const secure = await check({ mail: { smtp: { host: "h", secure: true }, to: "a@b.c" } });
  ok(secure.ok);
  equal(secure.config.mail!.transport.kind === "smtp" && secure.config.mail!.transport.port, 465);
});

Deno.test("sendmail mode takes a command", async () => {
  const result = await check({ mail: { sendmail: "/usr/sbin/sendmail -t -i", to: "a@b.c" } });
  ok(result.ok);
  deepStrictEqual(result.config.mail!.transport, {
    kind: "sendmail",
    argv: ["/usr/sbin/sendmail", "-t", "-i"],
  });
});

const bad: [string, Record<string, unknown>, string[]][] = [
  ["no transport", { mail: { to: "a@b.c" } }, [
    'mail: needs `smtp` or `sendmail` (e.g. smtp: { host: "smtp.example.com" } or sendmail: "/usr/sbin/sendmail -t -i")',
  ]],
  ["both transports", { mail: { smtp: { host: "h" }, sendmail: "x", to: "a@b.c" } }, [
    "mail.sendmail: cannot be set together with `smtp` (choose one way to send mail)",
  ]],
  ["no recipients", { mail: { smtp: { host: "h" } } }, [
    'mail.to: is required: who gets notifications (e.g. to: "ops@example.com")',
  ]],
  ["bad address and unknown keys", {
    mail: { smtp: { host: "h", prot: 25 }, to: ["ops", "a@b.c"], form: "x@y.z" },
  }, [
    'mail.form: unknown key (did you mean "from"?)',
    'mail.smtp.prot: unknown key (did you mean "port"?)',
    'mail.to[0]: "ops" is not a mail address (expected e.g. "ops@example.com")',
  ]],
  ["password without a user, bad env name", {
    mail: { smtp: { host: "h", pass: { env: "1X" } }, to: "a@b.c" },
  }, [
    'mail.smtp.pass.env: must name an environment variable (e.g. "SMTP_PASS"), got "1X"',
  ]],
  ["password without a user", { mail: { smtp: { host: "h", pass: "p" }, to: "a@b.c" } }, [
    "mail.smtp.pass: needs `user` (the account to log in with)",
  ]],
  ["smtp without host, bad port", { mail: { smtp: { port: 0 }, to: "a@b.c" } }, [
    "mail.smtp.port: must be a whole number 1-65535, got 0",
    'mail.smtp.host: is required (e.g. "smtp.example.com")',
  ]],
  ["logging.mail without mail", { logging: { mail: { level: "warning" } } }, [
    "logging.mail: needs the `mail` section (how to send: smtp or sendmail, and to whom)",
  ]],
  ["bad logging.mail and screenshots", {
    mail: { sendmail: "sendmail -t", to: "a@b.c" },
    logging: { mail: { level: "fatal" }, screenshots: { file: "x.png" } },
  }, [
    'logging.mail.level: "fatal" is not a log level (expected "debug", "info", "warning" or "error")',
    'logging.screenshots.command: is required (e.g. "import -window root {file}")',
  ]],
];

for (const [name, input, expected] of bad) {
  Deno.test(`mail config: ${name}`, async () => {
    deepStrictEqual((await problems(input)).sort(), [...expected].sort());
  });
}

Deno.test("logging.mail and logging.screenshots resolve", async () => {
  const result = await check({
    mail: { sendmail: "sendmail -t", to: "a@b.c" },
    logging: {
      mail: { to: "dev@example.com", interval: "10s" },
      screenshots: { command: "import -window root {file}" },
    },
  });
  ok(result.ok, JSON.stringify(result));
  deepStrictEqual(result.config.logging.mail, {
    level: "error",
    to: ["dev@example.com"],
    intervalMs: 10_000,
    subject: "{count} log lines at {level} or above",
  });
  deepStrictEqual(result.config.logging.screenshots, {
    command: ["import", "-window", "root", "{file}"],
    file: "/srv/app/logs/capture-{date}.png",
    maxFiles: 20,
    timeoutMs: 10_000,
  });
});

Deno.test("a mode may set mail partially over the base", async () => {
  const input = {
    mail: { smtp: { host: "smtp.example.com" }, to: "ops@example.com" },
    modes: { dev: { mail: { to: "me@example.com", smtp: { host: "127.0.0.1", port: 2525 } } } },
  };
  const result = await check(input, "dev");
  ok(result.ok, JSON.stringify(result));
  deepStrictEqual(result.config.mail!.to, ["me@example.com"]);
  equal(result.config.mail!.transport.kind === "smtp" && result.config.mail!.transport.port, 2525);
});

// The mail listeners' descriptors --------------------------------------

const mail = { sendmail: "sendmail -t", to: "ops@example.com" };
const front = { web: { cmd: "node web.js", groups: ["front"] } };

Deno.test("mail listeners resolve with their defaults", async () => {
  const result = await validateConfig({
    jobs: front,
    mail,
    listeners: [
      { kind: "crashmail" },
      { kind: "crashmailbatch", jobs: "group:front", interval: "5m", to: ["a@b.c"] },
      { kind: "crashsms", to: "555@txt.example.net", name: "pager" },
    ],
  }, { source, accounts, hostname: "kiosk" });
  ok(result.ok, JSON.stringify(result));
  const [crash, batch, sms] = result.config.listeners;
  deepStrictEqual(crash.type === "builtin" && crash.options, {
    kind: "crashmail",
    jobs: ["*"],
    to: null,
    from: null,
    subjectPrefix: "",
    intervalMs: 0,
    subject: "",
  });
  deepStrictEqual(batch.type === "builtin" && batch.options, {
    kind: "crashmailbatch",
    jobs: ["group:front"],
    to: ["a@b.c"],
    from: null,
    subjectPrefix: "",
    intervalMs: 300_000,
    subject: "{count} crashes",
  });
  equal(sms.name, "pager");
});

const badListeners: [string, Record<string, unknown>, string[]][] = [
  ["a mail listener without a mail section", { listeners: [{ kind: "crashmail" }] }, [
    "listeners[0]: crashmail sends mail: it needs the `mail` section (how to send: smtp or sendmail, and to whom)",
  ]],
  ["unknown option, unknown job, bad address", {
    mail,
    listeners: [{ kind: "crashmail", job: "web", jobs: ["wbe"], to: "nobody" }],
  }, [
    'listeners[0].job: unknown option (did you mean "jobs"?)',
    'listeners[0].jobs[0]: unknown job "wbe" (did you mean "web"?) (a selector is a job\'s name, "group:<name>" or "*")',
    'listeners[0].to: "nobody" is not a mail address (expected e.g. "ops@example.com")',
  ]],
  ["crashsms without a gateway, a bad interval, an unknown group", {
    mail,
    listeners: [{ kind: "crashsms", interval: "soon", jobs: "group:back" }],
  }, [
    'listeners[0].jobs: unknown group "back"',
    'listeners[0].to: is required: the SMS gateway\'s address (e.g. "5551234567@txt.example.net")',
    'listeners[0].interval: "soon" is not a duration (expected e.g. "10s")',
  ]],
];

for (const [name, input, expected] of badListeners) {
  Deno.test(`mail listener config: ${name}`, async () => {
    const result = await validateConfig({ jobs: front, ...input }, {
      source,
      accounts,
      hostname: "h",
    });
    deepStrictEqual(result.ok ? [] : result.issues.map(formatIssue).sort(), [...expected].sort());
  });
}
