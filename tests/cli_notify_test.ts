/** `sup notify test`: one message through every configured notifier, a line per notifier, exit 1 on failure. */
import { equal, match } from "node:assert/strict";
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
