import { deepStrictEqual, equal, match, ok, rejects, throws } from "node:assert/strict";
import { asciiDomain, formatAddress, parseAddress } from "./mail_address.ts";
import { decodeQuotedPrintable } from "./mime_encode.ts";
import { composeMail, contentTypeFor, mailDate } from "./mime_message.ts";

const fixed = {
  date: new Date(Date.UTC(2026, 11, 2, 13, 3, 5)),
  unique: "0f6e-42",
  readFile: (path: string) =>
    path === "/shots/a.png"
      ? Promise.resolve(new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]))
      : Promise.reject(new Deno.errors.NotFound(`No such file or directory: ${path}`)),
};

/** Every line ends in CRLF, is 7-bit and at most 78 characters. */
function assertWireSafe(text: string) {
  ok(text.endsWith("\r\n"));
  ok(!/\r(?!\n)|(?<!\r)\n/.test(text), "bare CR or LF");
  ok([...text].every((c) => c.charCodeAt(0) < 128), "8-bit byte");
  for (const line of text.split("\r\n")) ok(line.length <= 78, `${line.length}: ${line}`);
}

Deno.test("addresses: bare, with a display name, quoted; the envelope gets the bare address", () => {
  deepStrictEqual(parseAddress("ops@example.com"), { name: "", address: "ops@example.com" });
  deepStrictEqual(parseAddress("Dev <dev@example.com>"), {
    name: "Dev",
    address: "dev@example.com",
  });
  deepStrictEqual(parseAddress(' "Doe, Jane" <jane@example.com> '), {
    name: "Doe, Jane",
    address: "jane@example.com",
  });
  deepStrictEqual(parseAddress("<x@example.com>"), { name: "", address: "x@example.com" });
  equal(parseAddress("ops@bücher.example").address, "ops@xn--bcher-kva.example");
  equal(asciiDomain("[127.0.0.1]"), "[127.0.0.1]");
  for (const bad of ["nobody", "@example.com", "ops@", "a b@example.com", "Ops <>"]) {
    throws(() => parseAddress(bad), new RegExp(`"${bad}" is not a mail address`));
  }
});

Deno.test("addresses in headers: atoms as is, specials quoted, non-ASCII names encoded", () => {
  equal(formatAddress({ name: "", address: "a@example.com" }), "a@example.com");
  equal(formatAddress({ name: "kiosk-3", address: "a@example.com" }), "kiosk-3 <a@example.com>");
  equal(
    formatAddress({ name: "Doe, Jane", address: "a@example.com" }),
    '"Doe, Jane" <a@example.com>',
  );
  equal(
    formatAddress({ name: 'say "hi"', address: "a@example.com" }),
    '"say \\"hi\\"" <a@example.com>',
  );
  match(
    formatAddress({ name: "Jürgen", address: "a@example.com" }),
    /^=\?UTF-8\?B\?\S+\?= <a@example.com>$/,
  );
});

Deno.test("Date is RFC 5322 (day, date, month, time, offset)", () => {
  match(
    mailDate(fixed.date),
    /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/,
  );
  const offset = -fixed.date.getTimezoneOffset();
  const local = new Date(fixed.date.getTime() + offset * 60_000);
  equal(mailDate(fixed.date).split(" ")[1], String(local.getUTCDate()));
});

Deno.test("a plain message: headers, quoted-printable UTF-8 body, envelope", async () => {
  const mail = await composeMail({
    from: "sup@kiosk-3",
    to: ["ops@example.com", "Dev <dev@example.com>"],
    subject: "[sup kiosk-3] web crashed",
    text: "Job web exited.\n.\nLast lines of stderr:\n  fatal: out of cheese  \nGrüße",
  }, fixed);
  equal(mail.from, "sup@kiosk-3");
  deepStrictEqual(mail.to, ["ops@example.com", "dev@example.com"]);
  deepStrictEqual(mail.missing, []);
  assertWireSafe(mail.text);
  const [head, body] = mail.text.split("\r\n\r\n");
  deepStrictEqual(head.split("\r\n"), [
    "From: sup@kiosk-3",
    "To: ops@example.com, Dev <dev@example.com>",
    "Subject: [sup kiosk-3] web crashed",
    "Message-ID: <0f6e-42@kiosk-3>",
    `Date: ${mailDate(fixed.date)}`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
  ]);
  equal(
    body,
    "Job web exited.\r\n=2E\r\nLast lines of stderr:\r\n  fatal: out of cheese =20\r\nGr=C3=BC=C3=9Fe\r\n",
  );
});

Deno.test("a non-ASCII subject is encoded words; a long one is folded", async () => {
  const subject = "Задание web упало (код 3) на киоске в западном зале музея";
  const mail = await composeMail({ from: "a@b.c", to: ["d@e.f"], subject, text: "" }, fixed);
  assertWireSafe(mail.text);
  const header = mail.text.match(/^Subject:(.*(?:\r\n .*)*)/m)![1];
  const words = header.replace(/\r\n/g, "").trim().split(" ");
  ok(words.length > 1);
  const bytes = words.flatMap((
    w,
  ) => [...Uint8Array.fromBase64(w.match(/^=\?UTF-8\?B\?(.*)\?=$/)![1])]);
  equal(new TextDecoder().decode(new Uint8Array(bytes)), subject);
});

Deno.test("attachments: multipart/mixed, base64 parts with file names, types from the name", async () => {
  const mail = await composeMail({
    from: "Kiosk <sup@kiosk-3.example>",
    to: ["ops@example.com"],
    subject: "with files",
    text: "see attached",
    attachments: [
      { filename: "a.png", path: "/shots/a.png" },
      { filename: "Отчёт.txt", content: "строка\n".repeat(30) },
      {
        filename: "raw.bin",
        content: new Uint8Array([0, 1, 2]),
        contentType: "application/x-thing",
      },
    ],
  }, fixed);
  assertWireSafe(mail.text);
  match(mail.text, /^Content-Type: multipart\/mixed;\r\n boundary="----sup-0f6e-42"$/m);
  const parts = mail.text.split("------sup-0f6e-42");
  equal(parts.length, 6); // preamble, text, 3 attachments, epilogue after the closing "--"
  equal(parts[5], "--\r\n");
  match(
    parts[1],
    /^\r\nContent-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nsee attached\r\n$/,
  );
  match(parts[2], /Content-Type: image\/png;\r\n name="a.png"\r\n/);
  match(parts[2], /Content-Disposition: attachment;\r\n filename="a.png"\r\n/);
  deepStrictEqual(
    Uint8Array.fromBase64(parts[2].split("\r\n\r\n")[1].replace(/\r\n/g, "")),
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
  );
  match(
    parts[3],
    /Content-Type: text\/plain;\r\n name\*=utf-8''%D0%9E%D1%82%D1%87%D1%91%D1%82\.txt\r\n/,
  );
  match(parts[3], /filename\*=utf-8''%D0%9E/);
  const text = new TextDecoder().decode(
    Uint8Array.fromBase64(parts[3].split("\r\n\r\n")[1].replace(/\r\n/g, "")),
  );
  equal(text, "строка\n".repeat(30));
  match(parts[4], /Content-Type: application\/x-thing;/);
});

Deno.test("an attachment that cannot be read is left out and the body says why", async () => {
  const mail = await composeMail({
    from: "a@b.c",
    to: ["d@e.f"],
    subject: "crash",
    text: "crashed",
    attachments: [{ filename: "gone.png", path: "/shots/gone.png" }, { filename: "none.txt" }],
  }, fixed);
  deepStrictEqual(mail.missing, ["gone.png", "none.txt"]);
  ok(!mail.text.includes("multipart"));
  const body = decodeQuotedPrintable(mail.text.slice(mail.text.indexOf("\r\n\r\n") + 4));
  match(
    body,
    /The attachment "gone.png" was left out: cannot read \/shots\/gone.png: No such file/,
  );
  match(body, /The attachment "none.txt" was left out: it has neither `path` nor `content`/);
});

Deno.test("content types by extension, octet-stream when unknown", () => {
  equal(contentTypeFor("shot.PNG"), "image/png");
  equal(contentTypeFor("x.jpeg"), "image/jpeg");
  equal(contentTypeFor("gcore.log"), "text/plain");
  equal(contentTypeFor("core.1234"), "application/octet-stream");
  equal(contentTypeFor("noext"), "application/octet-stream");
});

Deno.test("a recipient that is not an address is an error naming it", async () => {
  await rejects(
    composeMail({ from: "a@b.c", to: ["ops"], subject: "", text: "" }, fixed),
    /"ops" is not a mail address/,
  );
});
