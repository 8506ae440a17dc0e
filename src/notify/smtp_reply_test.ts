import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { dataBlock } from "./smtp_client.ts";
import { ehloExtensions, ReplyParser, replyText, SmtpProtocolError } from "./smtp_reply.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function parse(...chunks: string[]) {
  const parser = new ReplyParser();
  const replies = [];
  for (const chunk of chunks) {
    parser.push(bytes(chunk));
    for (let r = parser.next(); r; r = parser.next()) replies.push(r);
  }
  return { replies, parser };
}

Deno.test("one-line replies, with and without text", () => {
  const { replies, parser } = parse("220 mx.example.com ESMTP ready\r\n250\r\n");
  deepStrictEqual(replies, [
    { code: 220, lines: ["mx.example.com ESMTP ready"] },
    { code: 250, lines: [""] },
  ]);
  equal(parser.pending, false);
  equal(replyText(replies[0]), "220 mx.example.com ESMTP ready");
  equal(replyText(replies[1]), "250");
});

Deno.test("multiline replies are joined; a reply split anywhere across reads is the same reply", () => {
  const text =
    "250-mx.example.com greets [127.0.0.1]\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n" +
    "250-STARTTLS\r\n250 8BITMIME\r\n";
  const whole = parse(text).replies;
  deepStrictEqual(whole, [{
    code: 250,
    lines: [
      "mx.example.com greets [127.0.0.1]",
      "PIPELINING",
      "AUTH PLAIN LOGIN",
      "STARTTLS",
      "8BITMIME",
    ],
  }]);
  for (let cut = 1; cut < text.length; cut++) {
    deepStrictEqual(parse(text.slice(0, cut), text.slice(cut)).replies, whole, `cut at ${cut}`);
  }
  equal(replyText(whole[0]).split(" / ").length, 5);
});

Deno.test("a reply is not complete until its last line; bytes left over are pending", () => {
  const { replies, parser } = parse("250-first\r\n");
  deepStrictEqual(replies, []);
  equal(parser.pending, true);
  const after = parse("220 go ahead\r\nsurprise");
  equal(after.replies.length, 1);
  equal(after.parser.pending, true);
});

Deno.test("bare LF line ends (some servers) and UTF-8 text are read", () => {
  deepStrictEqual(parse("554 5.7.1 Zugriff verweigert – Spam\n").replies, [
    { code: 554, lines: ["5.7.1 Zugriff verweigert – Spam"] },
  ]);
});

Deno.test("what is not an SMTP reply is an error, never buffered without bound", () => {
  throws(() => parse("HTTP/1.1 400 Bad Request\r\n"), SmtpProtocolError);
  throws(() => parse("99 too short\r\n"), /not SMTP: "99 too short"/);
  throws(() => parse("250-one\r\n354 two\r\n"), /changed its code \(250, then 354\)/);
  throws(() => parse("2".repeat(70_000)), /longer than 65536 bytes/);
  throws(() => parse("250-x\r\n".repeat(1_001)), /more than 1000 lines/);
});

Deno.test("EHLO extensions by keyword, parameters upper-cased; AUTH= counts as AUTH", () => {
  const ext = ehloExtensions({
    code: 250,
    lines: ["mx greets you", "size 10240000", "AUTH PLAIN login", "AUTH=CRAM-MD5", "STARTTLS"],
  });
  deepStrictEqual([...ext.keys()], ["SIZE", "AUTH", "STARTTLS"]);
  deepStrictEqual(ext.get("AUTH"), ["PLAIN", "LOGIN", "CRAM-MD5"]);
  deepStrictEqual(ext.get("STARTTLS"), []);
  equal(ehloExtensions({ code: 250, lines: ["only a greeting"] }).size, 0);
});

Deno.test("DATA: CRLF line ends, dots stuffed at line starts, the final dot line", () => {
  equal(dataBlock("a\r\nb\r\n"), "a\r\nb\r\n.\r\n");
  equal(dataBlock("no final break"), "no final break\r\n.\r\n");
  equal(
    dataBlock(".start\r\nmid.dle\r\n.\r\n..two\r\n"),
    "..start\r\nmid.dle\r\n..\r\n...two\r\n.\r\n",
  );
  equal(dataBlock("bare\nlf\rcr\n.x"), "bare\r\nlf\r\ncr\r\n..x\r\n.\r\n");
});
