/**
 * A real SMTP server for tests (npm `smtp-server`) on 127.0.0.1 and a free
 * port: records every message parsed (`mailparser`) with its envelope; can
 * require AUTH, offer STARTTLS with a self-signed certificate made by
 * `openssl` at test time, refuse connections with a 421 reply, or go down
 * (nothing listening) and come back on the same port.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import type { ResolvedMailTransport } from "../../src/config/mail_resolved.ts";
import { until } from "../../src/testing/wait.ts";
import { freeTcpPort } from "./ports.ts";

/** sup's transport to a test server on 127.0.0.1:`port`: plain SMTP, no login, 5 s steps. */
export function loopbackSmtp(
  port: number,
  timeoutMs = 5_000,
): ResolvedMailTransport {
  return {
    kind: "smtp",
    host: "127.0.0.1",
    port,
    secure: false,
    starttls: "never",
    user: null,
    pass: null,
    ca: null,
    timeoutMs,
  };
}

/** One message the server accepted. */
export interface ReceivedMail {
  /** Envelope sender (MAIL FROM). */
  from: string;
  /** Envelope recipients (RCPT TO). */
  to: string[];
  /** Header `From:` as text. */
  headerFrom: string;
  subject: string;
  text: string;
  attachments: { filename: string; contentType: string; size: number }[];
  /** The user that logged in, or null. */
  user: string | null;
  /** Whether the session was upgraded to TLS. */
  tls: boolean;
  /** When the message was accepted (ms since epoch). */
  at: number;
}

/** Options of `startSmtpServer`. */
export interface SmtpServerOptions {
  /** Require AUTH with this user and password (only after STARTTLS when `starttls`). */
  auth?: { user: string; pass: string };
  /** Offer STARTTLS with a self-signed certificate for 127.0.0.1. @default false */
  starttls?: boolean;
  /**
   * Make that certificate an end entity (`CA:FALSE`), which Deno's own TLS
   * accepts, instead of `openssl req -x509`'s default CA certificate, which
   * only Node's TLS accepts. @default false
   */
  endEntityCert?: boolean;
}

/** A running test SMTP server. */
export interface TestSmtpServer extends AsyncDisposable {
  port: number;
  /** Accepted messages, in order. */
  messages: ReceivedMail[];
  /** Errors the server reported (clients that aborted, TLS alerts). */
  errors: string[];
  /** Connections seen (including refused ones). */
  connections: number;
  /**
   * When each TCP connection was accepted (ms since epoch), in order:
   * smtp-server itself waits 100 ms before its greeting (and `onConnect`).
   */
  connectedAt: number[];
  /** The self-signed certificate (PEM file) when `starttls`. */
  certFile: string | null;
  /** Waits (bounded) until `count` messages have arrived. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** While on, every connection is answered "421 try again later" and closed. */
  refuse(on: boolean): void;
  /** Stops listening (connections are refused by the kernel). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Writes a self-signed certificate and key for 127.0.0.1 into `dir` with
 * `openssl`: a CA certificate (`CA:TRUE`, openssl's default), or with
 * `endEntity` one marked `CA:FALSE`.
 */
export async function selfSignedCertificate(
  dir: string,
  endEntity = false,
): Promise<{ cert: string; key: string }> {
  const name = endEntity ? "ee-" : "";
  const cert = `${dir}/${name}cert.pem`;
  const key = `${dir}/${name}key.pem`;
  const out = await new Deno.Command("openssl", {
    args: [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      ...(endEntity ? ["-addext", "basicConstraints=critical,CA:FALSE"] : []),
    ],
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  if (!out.success) throw new Error(`openssl failed: ${new TextDecoder().decode(out.stderr)}`);
  return { cert, key };
}

/** Starts a test SMTP server. */
export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const port = freeTcpPort();
  const dir = await Deno.makeTempDir({ prefix: "sup-smtp-" });
  const tls = options.starttls ? await selfSignedCertificate(dir, options.endEntityCert) : null;
  let refusing = false;
  const messages: ReceivedMail[] = [];
  const errors: string[] = [];
  const state = { connections: 0 };
  const connectedAt: number[] = [];
  const serverOptions: SMTPServerOptions = {
    logger: false,
    disableReverseLookup: true,
    authOptional: !options.auth,
    disabledCommands: tls ? [] : ["STARTTLS"],
    ...(tls
      ? { key: await Deno.readTextFile(tls.key), cert: await Deno.readTextFile(tls.cert) }
      : {}),
    onConnect(_session, callback) {
      state.connections++;
      if (!refusing) return callback();
      const error = new Error("Try again later") as Error & { responseCode: number };
      error.responseCode = 421;
      callback(error);
    },
    onAuth(auth, _session, callback) {
      if (
        options.auth && auth.username === options.auth.user &&
        auth.password === options.auth.pass
      ) {
        return callback(null, { user: auth.username });
      }
      const error = new Error("Authentication failed") as Error & { responseCode: number };
      error.responseCode = 535;
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", async () => {
        try {
          const parsed = await simpleParser(Buffer.concat(chunks));
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            headerFrom: parsed.from?.text ?? "",
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
            attachments: parsed.attachments.map((a) => ({
              filename: a.filename ?? "",
              contentType: a.contentType,
              size: a.size,
            })),
            user: typeof session.user === "string" ? session.user : null,
            tls: session.secure,
            at: Date.now(),
          });
          callback();
        } catch (error) {
          callback(error as Error);
        }
      });
    },
  };
  let server = new SMTPServer(serverOptions);
  const listen = (s: SMTPServer) =>
    new Promise<void>((resolve, reject) => {
      // The TCP accept itself, before smtp-server's 100 ms "early talker" pause.
      (s as unknown as { server: { on(e: string, f: () => void): void } }).server
        .on("connection", () => connectedAt.push(Date.now()));
      s.once("error", reject);
      s.listen(port, "127.0.0.1", () => {
        s.off("error", reject);
        // A client that aborts (a rejected certificate, a reset) is its problem, not the test's.
        s.on("error", (error: Error) => errors.push(error.message));
        resolve();
      });
    });
  const stop = (s: SMTPServer) => new Promise<void>((resolve) => s.close(() => resolve()));
  let listening = true;
  await listen(server);
  const handle: TestSmtpServer = {
    port,
    messages,
    errors,
    connectedAt,
    get connections() {
      return state.connections;
    },
    certFile: tls?.cert ?? null,
    async waitForMessages(count, timeoutMs = 10_000) {
      await until(() => messages.length >= count, `${count} mail(s) at the SMTP server`, timeoutMs);
      return messages.slice(0, count);
    },
    refuse(on) {
      refusing = on;
    },
    async down() {
      if (!listening) return;
      listening = false;
      await stop(server);
    },
    async up() {
      if (listening) return;
      server = new SMTPServer(serverOptions);
      await listen(server);
      listening = true;
    },
    async close() {
      if (listening) await stop(server);
      listening = false;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
    async [Symbol.asyncDispose]() {
      await handle.close();
    },
  };
  return handle;
}
