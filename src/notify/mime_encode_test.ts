import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import {
  base64Lines,
  decodeQuotedPrintable,
  encodedWords,
  foldHeader,
  mimeParam,
  quotedPrintable,
} from "./mime_encode.ts";

const lines = (text: string) => text.split("\r\n");

/** Decodes `=?UTF-8?B?...?=` words (adjacent words' spaces dropped, as readers do). */
function decodeWords(text: string): string {
  const joined = text.replace(/\?=\s+=\?/g, "?==?");
  const bytes: number[] = [];
  let rest = joined;
  for (const m of joined.matchAll(/=\?UTF-8\?B\?([^?]*)\?=/g)) {
    bytes.push(...Uint8Array.fromBase64(m[1]));
    rest = rest.replace(m[0], "");
  }
  equal(rest, "", `only encoded words in ${text}`);
  return new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
}

Deno.test("quoted-printable: ASCII stays readable, '=' and non-ASCII bytes are escaped", () => {
  equal(quotedPrintable("a = b"), "a =3D b");
  equal(quotedPrintable("Grüße"), "Gr=C3=BC=C3=9Fe");
  equal(quotedPrintable("tab\there"), "tab\there");
});

Deno.test("quoted-printable: hard line breaks become CRLF, whatever they were", () => {
  equal(quotedPrintable("one\ntwo\r\nthree\rfour"), "one\r\ntwo\r\nthree\r\nfour");
  equal(quotedPrintable("ends\n"), "ends\r\n");
});

Deno.test("quoted-printable: trailing spaces and tabs are encoded (transports strip them)", () => {
  equal(quotedPrintable("space \ntab\t"), "space=20\r\ntab=09");
  equal(quotedPrintable("   "), "  =20");
});

Deno.test("quoted-printable: a line starting with a dot is encoded (SMTP and sendmail treat it specially)", () => {
  equal(quotedPrintable(".\n.hidden\nnot.first"), "=2E\r\n=2Ehidden\r\nnot.first");
});

Deno.test("quoted-printable: long lines are soft-broken at 76 columns, never inside an escape", () => {
  const text = "x".repeat(200) + "\n" + "é".repeat(60) + "\n" + "y ".repeat(80);
  const encoded = quotedPrintable(text);
  for (const line of lines(encoded)) ok(line.length <= 76, `${line.length}: ${line}`);
  for (const line of lines(encoded)) ok(!/=[0-9A-F]?$/.test(line.replace(/=$/, "")), line);
  equal(decodeQuotedPrintable(encoded), text.replace(/\n/g, "\r\n"));
  // The first line is 75 characters and a soft break.
  equal(lines(encoded)[0], "x".repeat(75) + "=");
  // A line of exactly 76 characters is not broken.
  equal(quotedPrintable("z".repeat(76)), "z".repeat(76));
  equal(quotedPrintable("z".repeat(77)), "z".repeat(75) + "=\r\nzz");
});

Deno.test("quoted-printable round-trips any text", () => {
  const samples = [
    "",
    "plain",
    "=3D literal",
    "a\u0000b",
    "emoji 🎉 at the end of a long line " + "-".repeat(40) + " 🎉",
    "Last lines of stderr:\n  fatal: out of cheese  \n",
  ];
  for (const text of samples) {
    equal(decodeQuotedPrintable(quotedPrintable(text)), text.replace(/\n/g, "\r\n"));
  }
});

Deno.test("base64 is wrapped at 76 characters and round-trips", () => {
  const bytes = new Uint8Array(1000).map((_, i) => (i * 37) % 256);
  const wrapped = base64Lines(bytes);
  const all = lines(wrapped);
  for (const line of all.slice(0, -1)) equal(line.length, 76);
  ok(all.at(-1)!.length <= 76 && all.at(-1)!.length > 0);
  deepStrictEqual(Uint8Array.fromBase64(all.join("")), bytes);
  equal(base64Lines(new Uint8Array(57)).length, 76); // exactly one line, no trailing CRLF
  equal(base64Lines(new Uint8Array(0)), "");
});

Deno.test("encoded words: ASCII stays as is; anything else is UTF-8 base64 words of at most 64 characters", () => {
  equal(encodedWords("web crashed (exit code 3)"), "web crashed (exit code 3)");
  const words = encodedWords("Grüße aus Köln");
  match(words, /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
  equal(decodeWords(words), "Grüße aus Köln");
  const long = "Ошибка: задание «web» завершилось с кодом 3 — ".repeat(4) + "🎉";
  const encoded = encodedWords(long);
  for (const word of encoded.split(" ")) ok(word.length <= 64, `${word.length}: ${word}`);
  ok(encoded.split(" ").length > 1);
  // Each word holds whole characters: each decodes on its own.
  for (const word of encoded.split(" ")) decodeWords(word);
  equal(decodeWords(encoded), long);
});

Deno.test("headers are folded at spaces within 78 characters; CR and LF cannot inject headers", () => {
  equal(foldHeader("Subject", "short"), "Subject: short");
  const folded = foldHeader(
    "To",
    Array.from({ length: 8 }, (_, i) => `user${i}@example.com`).join(", "),
  );
  for (const line of lines(folded)) ok(line.length <= 78, line);
  ok(lines(folded).slice(1).every((line) => line.startsWith(" ")));
  equal(
    lines(folded).join("").replace(/^To: /, ""),
    Array.from({ length: 8 }, (_, i) => `user${i}@example.com`).join(", "),
  );
  equal(foldHeader("Subject", "a\r\nBcc: evil@example.com"), "Subject: a Bcc: evil@example.com");
  // A word longer than a line stays whole (never split inside).
  const word = "w".repeat(100);
  equal(foldHeader("Subject", `x ${word} y`), `Subject: x\r\n ${word}\r\n y`);
  // Encoded words fold like words.
  for (const line of lines(foldHeader("Subject", encodedWords("ü".repeat(100))))) {
    ok(line.length <= 76, line);
  }
});

Deno.test("MIME parameters: quoted when ASCII, RFC 2231 when not, continued when long", () => {
  equal(mimeParam("filename", "shot.png"), ';\r\n filename="shot.png"');
  equal(mimeParam("filename", 'a "quoted" \\name'), ';\r\n filename="a \\"quoted\\" \\\\name"');
  equal(mimeParam("filename", "Grüße.txt"), ";\r\n filename*=utf-8''Gr%C3%BC%C3%9Fe.txt");
  equal(mimeParam("filename", "my shot.png"), ';\r\n filename="my shot.png"');
  const long = mimeParam("filename", "Снимок экрана после сбоя задания web.png");
  match(long, /^;\r\n filename\*0\*=utf-8''%D0%A1/);
  match(long, /;\r\n filename\*1\*=/);
  for (const line of lines(long)) ok(line.length <= 78, line);
  const joined = [...long.matchAll(/\*\d+\*=(?:utf-8'')?([^;\r]*)/g)].map((m) => m[1]).join("");
  equal(decodeURIComponent(joined), "Снимок экрана после сбоя задания web.png");
});
