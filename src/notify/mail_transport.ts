/**
 * Hands one message to the mail system: over SMTP with sup's own client
 * (`smtp_client.ts`), or by piping the composed message to the configured
 * sendmail command. Errors become `DeliveryError`s that say whether
 * retrying can help.
 *
 * The sendmail command runs exactly as the config names it, with the
 * message on its standard input: the recipients are in the `To:` header
 * (`sendmail -t`), none are added to the arguments (`-t` means something
 * else per MTA, and recipients given twice get the mail twice). The message
 * has LF line ends there, the local convention sendmail programs expect.
 *
 * @module
 */

import type { ResolvedMailTransport } from "../config/mail_resolved.ts";
import { DeliveryError } from "./mail_queue.ts";
import { type ComposedMail, composeMail, type MailMessage } from "./mime_message.ts";
import { sendSmtp } from "./smtp_client.ts";

export type { MailMessage } from "./mime_message.ts";

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
    ? (message) => viaSmtp(transport, message, env)
    : (message) => sendmail(transport.argv, message);
}

/** Messages composed already: a retry sends the same text (same Date and Message-ID). */
const composed = new WeakMap<MailMessage, Promise<ComposedMail>>();

/** Composes `message` once; an address that cannot be read is a permanent failure. */
function compose(message: MailMessage): Promise<ComposedMail> {
  let mail = composed.get(message);
  if (!mail) {
    mail = composeMail(message).catch((error) => {
      throw new DeliveryError((error as Error).message, true, { cause: error });
    });
    composed.set(message, mail);
  }
  return mail;
}

type Smtp = Extract<ResolvedMailTransport, { kind: "smtp" }>;

async function viaSmtp(smtp: Smtp, message: MailMessage, env: EnvReader): Promise<string> {
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
  const mail = await compose(message);
  return await sendSmtp(
    {
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      starttls: smtp.starttls,
      auth: smtp.user === null ? null : { user: smtp.user, pass: pass ?? "" },
      caCerts: ca === undefined ? [] : [ca],
      timeoutMs: smtp.timeoutMs,
    },
    mail,
    mail.text,
  );
}

/** Composes the message (headers carry the recipients) and pipes it to `argv`. */
async function sendmail(argv: string[], message: MailMessage): Promise<string> {
  const raw = new TextEncoder().encode((await compose(message)).text.replaceAll("\r\n", "\n"));
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
