/**
 * `logging.mail` through a real `sup run`: sup's own warnings and an app's
 * error line (OSC `/log` sent with liblo's `oscsend`) arrive in one batched
 * mail at a real SMTP server; lines below the level do not.
 */
import { equal, match, ok } from "node:assert/strict";
import { startSmtpServer } from "./support/smtp_server.ts";
import { startSupProcess } from "./support/sup_run.ts";

Deno.test("logging.mail: sup's warnings and an app's error line in one mail, info lines left out", async () => {
  await using smtp = await startSmtpServer();
  await using sup = await startSupProcess((ports) => ({
    jobs: {
      flaky: {
        cmd: [
          "/bin/sh",
          "-c",
          `oscsend 127.0.0.1 ${ports.osc} /log sss error "disk is full" flaky; ` +
          `oscsend 127.0.0.1 ${ports.osc} /log sss info "just chatting" flaky; sleep 0.3; exit 3`,
        ],
        restart: "never",
      },
    },
    mail: {
      smtp: { host: "127.0.0.1", port: smtp.port, starttls: false },
      to: "ops@example.com",
      subjectPrefix: "[kiosk] ",
    },
    logging: { mail: { level: "warning", interval: "1s", to: "dev@example.com" } },
  }));
  const [mail] = await smtp.waitForMessages(1, 15_000).catch((e) => {
    throw new Error(`${e.message}\n${sup.logLines().join("\n")}`);
  });
  equal(mail.to.join(), "dev@example.com");
  match(mail.subject, /^\[kiosk\] \d+ log lines at warning or above$/);
  match(mail.text, /ERROR app·flaky: disk is full/);
  match(mail.text, /WARNING job·flaky: Process \d+ exited with code 3/);
  ok(!mail.text.includes("just chatting"), mail.text);
  const { code } = await sup.stop();
  equal(code, 0);
});
