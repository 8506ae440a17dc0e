/**
 * Composes one mail as MIME text (RFC 5322 / 2045): `Date`, `Message-ID`,
 * `From`, `To`, `Subject` (encoded words when not ASCII), a UTF-8
 * text/plain body in quoted-printable, and, with attachments, a
 * multipart/mixed message whose parts are base64 with their file names
 * (RFC 2231 when not ASCII). Every line ends in CRLF and is at most 78
 * characters (76 in bodies), so the result is 7-bit text any SMTP server
 * takes. Also returns the envelope (bare addresses) for SMTP.
 *
 * @module
 */

import { extname } from "node:path";
import type { Attachment } from "../core/notifier_hub.ts";
import { formatAddress, parseAddress } from "./mail_address.ts";
import {
  base64Lines,
  encodedWords,
  foldHeader,
  mimeParam,
  quotedPrintable,
} from "./mime_encode.ts";

/** One mail, addresses and text final (templates filled). */
export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  attachments?: Attachment[];
}

/** A composed mail: the envelope for SMTP and the message itself. */
export interface ComposedMail {
  /** Envelope sender (bare address). */
  from: string;
  /** Envelope recipients (bare addresses). */
  to: string[];
  /** The message: headers, blank line, body; CRLF line ends, no final dot. */
  text: string;
  /** Attachments left out because their file could not be read (also said in the body). */
  missing: string[];
}

/** Knobs for tests: fixed time and identifiers, a fake file reader. */
export interface ComposeOptions {
  /** @default new Date() */
  date?: Date;
  /** Unique text for the Message-ID and the boundary. @default crypto.randomUUID() */
  unique?: string;
  /** Reads an attachment's `path`. @default Deno.readFile */
  readFile?: (path: string) => Promise<Uint8Array>;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `date` as RFC 5322 wants it, in local time: `Wed, 2 Dec 2026 14:03:05 +0100`. */
export function mailDate(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  return `${DAYS[date.getDay()]}, ${date.getDate()} ${
    MONTHS[date.getMonth()]
  } ${date.getFullYear()} ` +
    `${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())} ` +
    `${sign}${p(Math.floor(abs / 60))}${p(abs % 60)}`;
}

const TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".bmp": "image/bmp",
  ".svg": "image/svg+xml",
  ".txt": "text/plain",
  ".log": "text/plain",
  ".csv": "text/csv",
  ".html": "text/html",
  ".json": "application/json",
  ".xml": "application/xml",
  ".pdf": "application/pdf",
  ".zip": "application/zip",
  ".gz": "application/gzip",
  ".tar": "application/x-tar",
};

/** The MIME type for a file name (by extension); `application/octet-stream` when unknown. */
export function contentTypeFor(filename: string): string {
  return TYPES[extname(filename).toLowerCase()] ?? "application/octet-stream";
}

/** The part for one attachment (headers, blank line, base64 lines). */
function attachmentPart(attachment: Attachment, bytes: Uint8Array): string {
  const type = (attachment.contentType ?? contentTypeFor(attachment.filename))
    .replace(/[\r\n;"]/g, "").trim() || "application/octet-stream";
  return [
    `Content-Type: ${type}${mimeParam("name", attachment.filename)}`,
    "Content-Transfer-Encoding: base64",
    `Content-Disposition: attachment${mimeParam("filename", attachment.filename)}`,
    "",
    base64Lines(bytes),
  ].join("\r\n");
}

const TEXT_HEADERS = "Content-Type: text/plain; charset=utf-8\r\n" +
  "Content-Transfer-Encoding: quoted-printable";

/** The bytes of each attachment, or why it could not be read. */
async function attachmentBytes(
  attachment: Attachment,
  readFile: (path: string) => Promise<Uint8Array>,
): Promise<Uint8Array | string> {
  if (attachment.content !== undefined) {
    return typeof attachment.content === "string"
      ? new TextEncoder().encode(attachment.content)
      : attachment.content;
  }
  if (attachment.path === undefined) return "it has neither `path` nor `content`";
  try {
    return await readFile(attachment.path);
  } catch (error) {
    return `cannot read ${attachment.path}: ${(error as Error).message}`;
  }
}

/**
 * Composes `message`. An attachment whose file cannot be read is left out
 * and the body says so (a crash mail is worth more than its screenshot).
 * Throws an `Error` when an address cannot be read.
 */
export async function composeMail(
  message: MailMessage,
  options: ComposeOptions = {},
): Promise<ComposedMail> {
  const from = parseAddress(message.from);
  const to = message.to.map(parseAddress);
  const unique = options.unique ?? crypto.randomUUID();
  const readFile = options.readFile ?? Deno.readFile;
  const parts: string[] = [];
  const missing: string[] = [];
  let text = message.text;
  for (const attachment of message.attachments ?? []) {
    const bytes = await attachmentBytes(attachment, readFile);
    if (typeof bytes === "string") {
      missing.push(attachment.filename);
      text += `\n\n(The attachment "${attachment.filename}" was left out: ${bytes}.)`;
    } else parts.push(attachmentPart(attachment, bytes));
  }
  const domain = from.address.slice(from.address.lastIndexOf("@") + 1);
  const headers = [
    foldHeader("From", formatAddress(from)),
    foldHeader("To", to.map(formatAddress).join(", ")),
    foldHeader("Subject", encodedWords(message.subject.replace(/[\r\n]+/g, " "))),
    `Message-ID: <${unique}@${domain}>`,
    `Date: ${mailDate(options.date ?? new Date())}`,
    "MIME-Version: 1.0",
  ];
  const body = quotedPrintable(text);
  let raw: string;
  if (parts.length === 0) {
    raw = [...headers, TEXT_HEADERS, "", body].join("\r\n");
  } else {
    const boundary = `----sup-${unique}`;
    raw = [
      ...headers,
      `Content-Type: multipart/mixed;\r\n boundary="${boundary}"`,
      "",
      `--${boundary}`,
      TEXT_HEADERS,
      "",
      body,
      ...parts.flatMap((part) => [`--${boundary}`, part]),
      `--${boundary}--`,
    ].join("\r\n");
  }
  return {
    from: from.address,
    to: to.map((a) => a.address),
    text: raw + "\r\n",
    missing,
  };
}
