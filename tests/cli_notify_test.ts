/** `sup notify test`: one message through every configured notifier, a line per notifier, exit 1 on failure. */
import { deepStrictEqual, equal, match } from "node:assert/strict";
import { runSup } from "./support/cli.ts";
import { startSmtpServer } from "./support/smtp_server.ts";

async function configDir(body: Record<string, unknown>): Promise<string> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-notify-test-" }));
  await Deno.writeTextFile(
    `${dir}/sup.json`,
    JSON.stringify({ jobs: { a: { cmd: "true" } }, ...body }),
  );
  return dir;
}

Deno.test("sup notify test delivers through the SMTP server and prints its reply; a down server is exit 1 with the error", async () => {
  await using server = await startSmtpServer();
  const dir = await configDir({
    mail: {
      smtp: { host: "127.0.0.1", port: server.port, starttls: false },
      to: "ops@example.com",
      subjectPrefix: "[{app.site}] ",
    },
    app: { site: "west" },
  });
  try {
    const ok = await runSup(["notify", "test", "sup.json"], dir);
    equal(ok.code, 0, ok.stderr);
    match(ok.stdout, /^mail: delivered \(to ops@example.com: 250 .*\)$/m);
    const [mail] = await server.waitForMessages(1);
    equal(mail.subject, "[west] Test message from sup");
    match(mail.text, new RegExp(`on ${Deno.hostname()}`));
    match(mail.text, /Mode: default/);

    await server.down();
    const down = await runSup(["notify", "test", "sup.json"], dir);
    equal(down.code, 1);
    match(down.stdout, /^mail: FAILED: .*ECONNREFUSED/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sup notify test on a config without notifiers says so (exit 1)", async () => {
  const dir = await configDir({});
  try {
    const run = await runSup(["notify", "test", "sup.json"], dir);
    equal(run.code, 1);
    match(run.stderr, /configures no notifier \(add a "mail" section, or a webhook listener\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test('a TypeScript config with the mail listener factories from "sup" checks, and shows them', async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-mail-factories-" }));
  try {
    await Deno.writeTextFile(
      `${dir}/config.ts`,
      `import { crashmail, crashmailbatch, crashsms, defineConfig, fatalmailbatch } from "sup";
export default defineConfig({
  jobs: { web: { cmd: "true", groups: ["front"] } },
  mail: { sendmail: "/usr/sbin/sendmail -t -i", to: "ops@example.com" },
  listeners: [
    crashmail({ jobs: "group:front", subjectPrefix: "KIOSK " }),
    crashmailbatch({ interval: "5m" }),
    fatalmailbatch({ to: ["a@example.com"] }),
    crashsms({ to: "555@txt.example.net", name: "pager" }),
  ],
});
`,
    );
    const text = await runSup(["check", "config.ts"], dir);
    equal(text.code, 0, text.stderr + text.stdout);
    match(text.stdout, /sendmail +\/usr\/sbin\/sendmail -t -i/);
    const json = await runSup(["check", "config.ts", "--json"], dir);
    const listeners = JSON.parse(json.stdout).config.listeners as {
      name: string;
      kind: string;
      options: { jobs: string[]; subjectPrefix: string };
    }[];
    deepStrictEqual(listeners.map((l) => `${l.kind}:${l.name}`), [
      "crashmail:crashmail",
      "crashmailbatch:crashmailbatch",
      "fatalmailbatch:fatalmailbatch",
      "crashsms:pager",
    ]);
    deepStrictEqual(listeners[0].options.jobs, ["group:front"]);
    equal(listeners[0].options.subjectPrefix, "KIOSK ");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
