/**
 * Hands one message to an SMTP server (RFC 5321) and says goodbye: the
 * greeting, EHLO (HELO for old servers), STARTTLS as the config says
 * (required, never, or when offered), AUTH PLAIN or LOGIN (whichever the
 * EHLO reply lists, PLAIN first), MAIL FROM, RCPT TO for each recipient,
 * DATA with the message dot-stuffed, QUIT. One message per connection.
 *
 * Every failure is a `DeliveryError`: a 5xx reply is permanent (retrying
 * cannot help), a 4xx reply, a timeout or a network error temporary. On
 * success the server's reply to the message is returned
 * (`250 OK: queued as ...`).
 *
 * @module
 */

import { DeliveryError } from "./mail_queue.ts";
import { type ConnectOptions, SmtpConnection } from "./smtp_connection.ts";
import { ehloExtensions, replyText, type SmtpReply } from "./smtp_reply.ts";
import { denoSocket, isCaUsedAsServerCert, type SocketOpener } from "./smtp_socket.ts";

/** How to reach and talk to the server. */
export interface SmtpClientOptions extends ConnectOptions {
  /** "required": fail without STARTTLS; "never": stay plain; "offered": upgrade when offered. */
  starttls: "required" | "never" | "offered";
  /** Log in with these, or null. */
  auth: { user: string; pass: string } | null;
  /** The name sup gives in EHLO. @default Deno.hostname() */
  clientName?: string;
}

/** Bare addresses for MAIL FROM and RCPT TO. */
export interface Envelope {
  from: string;
  to: string[];
}

/**
 * The DATA block for `message`: line ends made CRLF, a line starting
 * with "." given another one (RFC 5321 §4.5.2), then the final `.` line.
 */
export function dataBlock(message: string): string {
  const crlf = message.replace(/\r?\n|\r/g, "\r\n");
  const stuffed = crlf.replace(/(^|\r\n)\./g, "$1..");
  return (stuffed.endsWith("\r\n") ? stuffed : stuffed + "\r\n") + ".\r\n";
}

/** A reply that is not the one wanted, as a `DeliveryError` (5xx permanent). */
function refused(host: string, what: string, reply: SmtpReply): DeliveryError {
  const permanent = reply.code >= 500 && reply.code < 600;
  return new DeliveryError(`${host} refused ${what}: ${replyText(reply)}`, permanent);
}

function base64Text(text: string): string {
  return new TextEncoder().encode(text).toBase64();
}

/** One SMTP session over `conn`. */
class Session {
  constructor(readonly conn: SmtpConnection, readonly options: SmtpClientOptions) {}

  /** Sends `line` (secrets stay out of errors: `what` names it) and reads the reply. */
  async command(line: string, what: string): Promise<SmtpReply> {
    await this.conn.write(line + "\r\n", what);
    return await this.conn.read(`the reply to ${what}`);
  }

  /** Sends `line` and fails unless the reply's code is one of `codes`. */
  async expect(line: string, what: string, ...codes: number[]): Promise<SmtpReply> {
    const reply = await this.command(line, what);
    if (!codes.includes(reply.code)) throw refused(this.options.host, what, reply);
    return reply;
  }

  /** EHLO (or HELO when the server does not know EHLO); the extensions offered. */
  async hello(): Promise<Map<string, string[]>> {
    const name = this.conn.clientName(this.options.clientName ?? Deno.hostname());
    const reply = await this.command(`EHLO ${name}`, "EHLO");
    if (reply.code === 250) return ehloExtensions(reply);
    if (reply.code < 500 || reply.code > 504) throw refused(this.options.host, "EHLO", reply);
    await this.expect(`HELO ${name}`, "HELO", 250);
    return new Map();
  }

  /** Upgrades with STARTTLS when the config and the server say so; the extensions after. */
  async tls(extensions: Map<string, string[]>): Promise<Map<string, string[]>> {
    const { starttls, host } = this.options;
    if (this.conn.secure || starttls === "never") return extensions;
    if (!extensions.has("STARTTLS")) {
      if (starttls === "offered") return extensions;
      throw new DeliveryError(
        `${host} does not offer STARTTLS (the mail config says starttls: "required")`,
        true,
      );
    }
    await this.expect("STARTTLS", "STARTTLS", 220);
    await this.conn.startTls();
    return await this.hello();
  }

  /** AUTH PLAIN, or LOGIN when the server lists only that. */
  async login(extensions: Map<string, string[]>): Promise<void> {
    const { auth, host } = this.options;
    if (auth === null) return;
    const methods = extensions.get("AUTH");
    if (!methods) {
      const hint = this.conn.secure ? "" : " on an unencrypted connection (try starttls)";
      throw new DeliveryError(
        `${host} does not offer AUTH${hint}, and the config has a user`,
        true,
      );
    }
    if (methods.includes("PLAIN")) {
      const token = base64Text(`\0${auth.user}\0${auth.pass}`);
      await this.expect(`AUTH PLAIN ${token}`, "AUTH PLAIN", 235);
    } else if (methods.includes("LOGIN")) {
      await this.expect("AUTH LOGIN", "AUTH LOGIN", 334);
      await this.expect(base64Text(auth.user), "the AUTH LOGIN user", 334);
      await this.expect(base64Text(auth.pass), "the AUTH LOGIN password", 235);
    } else {
      throw new DeliveryError(
        `${host} offers AUTH ${methods.join(" ")}; sup speaks PLAIN and LOGIN`,
        true,
      );
    }
  }

  /** MAIL FROM, RCPT TO for each recipient (some may be refused), DATA; the final reply. */
  async transfer(envelope: Envelope, message: string): Promise<string> {
    const host = this.options.host;
    await this.expect(`MAIL FROM:<${envelope.from}>`, "the sender", 250);
    const rejected: string[] = [];
    let lastRefusal: DeliveryError | null = null;
    for (const to of envelope.to) {
      const reply = await this.command(`RCPT TO:<${to}>`, `the recipient ${to}`);
      if (reply.code === 250 || reply.code === 251) continue;
      rejected.push(`${to} (${replyText(reply)})`);
      lastRefusal = refused(host, `the recipient ${to}`, reply);
    }
    if (lastRefusal && rejected.length === envelope.to.length) throw lastRefusal;
    await this.expect("DATA", "DATA", 354);
    await this.conn.write(dataBlock(message), "the message");
    const reply = await this.conn.read("the reply to the message");
    if (reply.code !== 250) throw refused(host, "the message", reply);
    const text = replyText(reply);
    return rejected.length ? `${text} (refused: ${rejected.join(", ")})` : text;
  }

  /** QUIT, waiting for the goodbye within the timeout; failures here do not matter. */
  async quit(): Promise<void> {
    try {
      await this.command("QUIT", "QUIT");
    } catch {
      // the message is delivered (or the session failed anyway)
    }
  }
}

/** Servers (`host:port`) whose certificate only Node's TLS accepts (see `smtp_node_socket.ts`). */
const nodeTlsServers = new Set<string>();

/**
 * Sends `message` (composed, CRLF line ends) to `envelope.to` through the
 * server in `options`; resolves with the server's reply, throws
 * `DeliveryError`. Over Deno's sockets; when rustls refuses a self-signed
 * CA certificate that `caCerts` trusts, again over Node's TLS (and from
 * then on for that server).
 */
export async function sendSmtp(
  options: SmtpClientOptions,
  envelope: Envelope,
  message: string,
): Promise<string> {
  if (envelope.to.length === 0) throw new DeliveryError("The mail has no recipients", true);
  const server = `${options.host}:${options.port}`;
  if (!nodeTlsServers.has(server)) {
    try {
      return await session(options, envelope, message, denoSocket);
    } catch (error) {
      if (!(isCaUsedAsServerCert(error) && options.caCerts.length > 0)) throw error;
      nodeTlsServers.add(server);
    }
  }
  const { nodeSocket } = await import("./smtp_node_socket.ts");
  return await session(options, envelope, message, nodeSocket);
}

async function session(
  options: SmtpClientOptions,
  envelope: Envelope,
  message: string,
  open: SocketOpener,
): Promise<string> {
  const conn = await SmtpConnection.open(options, open);
  const session = new Session(conn, options);
  let done = false;
  try {
    const greeting = await conn.read("the greeting");
    if (greeting.code !== 220) throw refused(options.host, "the connection", greeting);
    const extensions = await session.tls(await session.hello());
    await session.login(extensions);
    const reply = await session.transfer(envelope, message);
    done = true;
    await session.quit();
    return reply;
  } finally {
    if (!done) {
      // Best effort: say goodbye without waiting, so the server does not log a lost connection.
      await conn.write("QUIT\r\n", "QUIT").catch(() => {});
    }
    conn.close();
  }
}
