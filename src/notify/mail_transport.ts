/**
 * Hands one message to the mail system: over SMTP with nodemailer, or by
 * piping it (composed by nodemailer) to the configured sendmail command.
 * Errors become `DeliveryError`s that say whether retrying can help.
 *
 * Why the sendmail command is run here and not by nodemailer's sendmail
 * transport: that transport always adds `-i` and the recipients to the
 * arguments, so a command written as `sendmail -t -i` would get recipients
 * twice (and `-t` means something else per MTA). Running exactly the
 * command the config names, with the message on its standard input, is
 * what the user wrote.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import nodemailer from "nodemailer";
import type { ResolvedMailTransport } from "../config/mail_resolved.ts";
import type { Attachment } from "../core/notifier_hub.ts";
import { DeliveryError } from "./mail_queue.ts";

/** One mail, addresses and text final (templates filled). */
export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  attachments?: Attachment[];
}

/** Sends one message; resolves with the server's reply, throws `DeliveryError`. */
export type SendMail = (message: MailMessage) => Promise<string>;

/** What the transport reads from the environment (`pass: { env }`). */
export type EnvReader = (name: string) => string | undefined;

/** Builds the sender for `transport`. */
export function mailSender(
  transport: ResolvedMailTransport,
  env: EnvReader = (name) => Deno.env.get(name),
): SendMail {
  return transport.kind === "smtp"
    ? (message) => sendSmtp(transport, message, env)
    : (message) => sendmail(transport.argv, message);
}

type Smtp = Extract<ResolvedMailTransport, { kind: "smtp" }>;

function nodemailerMessage(message: MailMessage) {
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    attachments: message.attachments?.map((a) => ({
      filename: a.filename,
      path: a.path,
      content: a.content instanceof Uint8Array ? Buffer.from(a.content) : a.content,
      contentType: a.contentType,
    })),
  };
}

async function sendSmtp(smtp: Smtp, message: MailMessage, env: EnvReader): Promise<string> {
  let pass: string | undefined;
  if (smtp.pass && "env" in smtp.pass) {
    pass = env(smtp.pass.env);
    if (pass === undefined) {
      throw new DeliveryError(
        `The SMTP password's environment variable "${smtp.pass.env}" is not set`,
        true,
      );
    }
  } else if (smtp.pass) pass = smtp.pass.value;
  let ca: string | undefined;
  if (smtp.ca !== null) {
    try {
      ca = await Deno.readTextFile(smtp.ca);
    } catch (error) {
      throw new DeliveryError(
        `Cannot read the SMTP server's certificate "${smtp.ca}": ${(error as Error).message}`,
        false,
      );
    }
  }
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.starttls === "required",
    ignoreTLS: smtp.starttls === "never",
    auth: smtp.user === null ? undefined : { user: smtp.user, pass },
    tls: ca === undefined ? undefined : { ca },
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
  });
  try {
    const info = await transport.sendMail(nodemailerMessage(message));
    return info.response;
  } catch (error) {
    throw smtpError(error);
  } finally {
    transport.close();
  }
}

/** A nodemailer error as a `DeliveryError`: 5xx replies are permanent. */
function smtpError(error: unknown): DeliveryError {
  const e = error as { message?: string; responseCode?: number; code?: string };
  const code = typeof e.responseCode === "number" ? e.responseCode : null;
  const message = e.message ?? String(error);
  return new DeliveryError(message, code !== null && code >= 500 && code < 600, { cause: error });
}

/** Composes the message (headers carry the recipients) and pipes it to `argv`. */
async function sendmail(argv: string[], message: MailMessage): Promise<string> {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const built = await composer.sendMail(nodemailerMessage(message));
  const raw = built.message as Uint8Array;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    const missing = error instanceof Deno.errors.NotFound;
    throw new DeliveryError(
      missing
        ? `The sendmail command "${argv[0]}" was not found`
        : `Cannot run the sendmail command "${argv[0]}": ${(error as Error).message}`,
      missing,
    );
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, 60_000);
  try {
    const writer = child.stdin.getWriter();
    await writer.write(raw).catch(() => {});
    await writer.close().catch(() => {});
    const out = await child.output();
    const text = new TextDecoder().decode(out.stderr).trim() ||
      new TextDecoder().decode(out.stdout).trim();
    if (out.success) return `"${argv[0]}" accepted the message${text ? `: ${text}` : ""}`;
    const how = out.signal ? `was killed by ${out.signal}` : `exited with code ${out.code}`;
    throw new DeliveryError(`The sendmail command ${how}${text ? `: ${text}` : ""}`, false);
  } finally {
    clearTimeout(timer);
  }
}
