/**
 * The mail sup composes, read back by real mail software: npm mailparser
 * on the composed text and on what smtp-server received over SMTP, and
 * Debian's aiosmtpd (python3-aiosmtpd) accepting a plain delivery. Subjects
 * and file names outside ASCII, long lines, trailing spaces, leading dots
 * and binary attachments must come back exactly.
 */
import { Buffer } from "node:buffer";
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { simpleParser } from "mailparser";
import { mailSender } from "../src/notify/mail_transport.ts";
import { composeMail, type MailMessage } from "../src/notify/mime_message.ts";
import { hasAioSmtpd, startAioSmtpd } from "../bench/lib/aiosmtpd.ts";
import { freeTcpPort } from "./support/ports.ts";
import { loopbackSmtp, startSmtpServer } from "./support/smtp_server.ts";

const picture = new Uint8Array(3000).map((_, i) => (i * 131 + 7) % 256);
const subject = "Задание «web» упало on kiosk-3 — exit code 3 🎉 and a long tail to fold";
const body = [
  "Job web exited unexpectedly (exit code 3).",
  ".",
  "..two dots",
  "trailing spaces   ",
  "a = sign and Grüße",
  "x".repeat(300),
  "",
  "Last lines of stderr:",
  "  fatal: out of cheese",
].join("\n");

async function message(dir: string): Promise<MailMessage> {
  await Deno.writeFile(`${dir}/crash.png`, picture);
  return {
    from: "Kiosk Drei <sup@kiosk-3.example>",
    to: ["ops@example.com", '"Doe, Jane" <jane@example.com>'],
    subject,
    text: body,
    attachments: [
      { filename: "crash.png", path: `${dir}/crash.png` },
      { filename: "Отчёт о сбое задания web.txt", content: "строка\n".repeat(40) },
    ],
  };
}

Deno.test("mailparser reads back subject, body, addresses and attachments exactly", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-mime-" });
  try {
    const composed = await composeMail(await message(dir));
    const parsed = await simpleParser(Buffer.from(composed.text));
    equal(parsed.subject, subject);
    equal(parsed.text, body); // in a multipart message the CRLF before a boundary is the boundary's
    deepStrictEqual(parsed.from?.value, [{ name: "Kiosk Drei", address: "sup@kiosk-3.example" }]);
    const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to!];
    deepStrictEqual(to.flatMap((a) => a.value), [
      { name: "", address: "ops@example.com" },
      { name: "Doe, Jane", address: "jane@example.com" },
    ]);
    ok(parsed.messageId?.endsWith("@kiosk-3.example>"), parsed.messageId);
    ok(parsed.date && Math.abs(parsed.date.getTime() - Date.now()) < 60_000, String(parsed.date));
    deepStrictEqual(
      parsed.attachments.map((a) => [a.filename, a.contentType, a.size]),
      [
        ["crash.png", "image/png", picture.length],
        [
          "Отчёт о сбое задания web.txt",
          "text/plain",
          new TextEncoder().encode("строка\n").length * 40,
        ],
      ],
    );
    deepStrictEqual(new Uint8Array(parsed.attachments[0].content), picture);
    equal(parsed.attachments[1].content.toString("utf8"), "строка\n".repeat(40));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the same mail through SMTP: smtp-server's envelope and mailparser's reading agree", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-mime-" });
  try {
    await using server = await startSmtpServer();
    const reply = await mailSender(loopbackSmtp(server.port))(await message(dir));
    ok(reply.startsWith("250 "), reply);
    const [mail] = await server.waitForMessages(1);
    equal(mail.from, "sup@kiosk-3.example");
    deepStrictEqual(mail.to, ["ops@example.com", "jane@example.com"]);
    equal(mail.headerFrom, '"Kiosk Drei" <sup@kiosk-3.example>'); // mailparser's way of writing it
    equal(mail.subject, subject);
    equal(mail.text, body);
    deepStrictEqual(mail.attachments, [
      { filename: "crash.png", contentType: "image/png", size: picture.length },
      {
        filename: "Отчёт о сбое задания web.txt",
        contentType: "text/plain",
        size: new TextEncoder().encode("строка\n").length * 40,
      },
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Debian's aiosmtpd accepts a plain delivery (python3-aiosmtpd)", async () => {
  ok(await hasAioSmtpd(), "python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd)");
  await using server = await startAioSmtpd(freeTcpPort());
  const reply = await mailSender(loopbackSmtp(server.port))({
    from: "sup@kiosk-3.example",
    to: ["ops@example.com"],
    subject: "web crashed (exit code 3)",
    text: "Job web exited unexpectedly.\n.\nGrüße",
  });
  equal(reply, "250 OK");
  const [accepted] = await server.waitForMessages(1, 10_000);
  const parsed = await simpleParser(Buffer.from(accepted.text));
  equal(parsed.subject, "web crashed (exit code 3)");
  equal(parsed.text, "Job web exited unexpectedly.\n.\nGrüße\n");
  deepStrictEqual(parsed.from?.value, [{ name: "", address: "sup@kiosk-3.example" }]);
});
