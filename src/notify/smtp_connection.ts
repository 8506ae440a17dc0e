/**
 * One connection to an SMTP server over an `SmtpSocket` (Deno's own
 * sockets, normally): every step (connecting with the TLS handshake when
 * `secure`, STARTTLS, each reply, each write) bounded by the timeout,
 * replies read through `ReplyParser`. Network trouble becomes a temporary
 * `DeliveryError` whose text names the step and, for socket errors, the
 * usual errno name (`ECONNREFUSED`) people search for.
 *
 * @module
 */

import { DeliveryError } from "./mail_queue.ts";
import { ReplyParser, SmtpProtocolError, type SmtpReply } from "./smtp_reply.ts";
import {
  type ConnectOptions,
  denoSocket,
  isCaUsedAsServerCert,
  type SmtpSocket,
  type SocketOpener,
  TlsHandshakeError,
} from "./smtp_socket.ts";

export type { ConnectOptions } from "./smtp_socket.ts";

const ERRNO: [new (...args: never[]) => Error, string][] = [
  [Deno.errors.ConnectionRefused, "ECONNREFUSED"],
  [Deno.errors.ConnectionReset, "ECONNRESET"],
  [Deno.errors.ConnectionAborted, "ECONNABORTED"],
  [Deno.errors.TimedOut, "ETIMEDOUT"],
  [Deno.errors.NetworkUnreachable, "ENETUNREACH"],
  [Deno.errors.AddrNotAvailable, "EADDRNOTAVAIL"],
  [Deno.errors.BrokenPipe, "EPIPE"],
];

/** `error` as one line: its message and the errno name (Deno's error class or Node's `code`). */
export function networkMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const errno = ERRNO.find(([type]) => error instanceof type)?.[1] ??
    (typeof code === "string" ? code : undefined);
  return errno && !error.message.includes(errno) ? `${error.message} (${errno})` : error.message;
}

/** A failed TLS handshake as a `DeliveryError`, with a hint for certificates rustls refuses. */
function tlsError(host: string, step: string, error: unknown, caCerts: string[]): DeliveryError {
  const cause = error instanceof TlsHandshakeError ? error.cause : error;
  const hint = isCaUsedAsServerCert(error) && caCerts.length === 0
    ? " (the server's certificate is a self-signed CA certificate: trust it with `smtp.ca`)"
    : "";
  return new DeliveryError(`${step} with ${host} failed: ${networkMessage(cause)}${hint}`, false, {
    cause: error,
  });
}

/**
 * Runs `step` bounded by `ms`: on time out, `cleanup` runs (closing the
 * socket) and a temporary `DeliveryError` says what was awaited.
 */
async function bounded<T>(step: Promise<T>, ms: number, what: string, cleanup: () => void) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cleanup();
      reject(new DeliveryError(`Timed out after ${ms} ms waiting for ${what} (ETIMEDOUT)`, false));
    }, ms);
  });
  try {
    return await Promise.race([step, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An open SMTP connection; `close()` it when done. */
export class SmtpConnection {
  #socket: SmtpSocket;
  #parser = new ReplyParser();
  #buffer = new Uint8Array(16 * 1024);
  #options: ConnectOptions;
  #closed = false;
  /** True once the session is encrypted (SMTPS or after STARTTLS). */
  secure: boolean;

  private constructor(socket: SmtpSocket, options: ConnectOptions) {
    this.#socket = socket;
    this.#options = options;
    this.secure = options.secure;
  }

  /**
   * Connects (and, when `secure`, completes the TLS handshake) within the
   * timeout, through `open` (Deno's sockets unless told otherwise).
   */
  static async open(options: ConnectOptions, open: SocketOpener = denoSocket) {
    const where = `${options.host}:${options.port}`;
    const abort = new AbortController();
    try {
      const socket = await bounded(
        open(options, abort.signal),
        options.timeoutMs,
        `a connection to ${where}${options.secure ? " and its TLS handshake" : ""}`,
        () => abort.abort(),
      );
      return new SmtpConnection(socket, options);
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      if (error instanceof TlsHandshakeError) throw tlsError(where, "TLS", error, options.caCerts);
      throw new DeliveryError(`Cannot connect to ${where}: ${networkMessage(error)}`, false, {
        cause: error,
      });
    }
  }

  /** The next reply, waited for at most the timeout; `what` names it in errors ("the greeting"). */
  async read(what: string): Promise<SmtpReply> {
    const host = this.#options.host;
    for (;;) {
      let reply: SmtpReply | null;
      try {
        reply = this.#parser.next();
      } catch (error) {
        throw this.#protocolError(error);
      }
      if (reply) return reply;
      let count: number | null;
      try {
        count = await bounded(
          this.#socket.read(this.#buffer),
          this.#options.timeoutMs,
          `${what} from ${host}`,
          () => this.close(),
        );
      } catch (error) {
        this.close();
        if (error instanceof DeliveryError) throw error;
        throw new DeliveryError(
          `Connection to ${host} lost while waiting for ${what}: ${networkMessage(error)}`,
          false,
          { cause: error },
        );
      }
      if (count === null) {
        this.close();
        throw new DeliveryError(`${host} closed the connection before ${what}`, false);
      }
      try {
        this.#parser.push(this.#buffer.subarray(0, count));
      } catch (error) {
        throw this.#protocolError(error);
      }
    }
  }

  #protocolError(error: unknown): DeliveryError {
    this.close();
    const message = error instanceof SmtpProtocolError ? error.message : String(error);
    return new DeliveryError(`${this.#options.host}: ${message}`, false, { cause: error });
  }

  /** Writes all of `data` within the timeout. */
  async write(data: string | Uint8Array, what: string): Promise<void> {
    const host = this.#options.host;
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const all = async () => {
      for (let done = 0; done < bytes.length;) {
        done += await this.#socket.write(bytes.subarray(done));
      }
    };
    try {
      await bounded(all(), this.#options.timeoutMs, `${what} to be sent to ${host}`, () => {
        this.close();
      });
    } catch (error) {
      this.close();
      if (error instanceof DeliveryError) throw error;
      throw new DeliveryError(
        `Connection to ${host} lost while sending ${what}: ${networkMessage(error)}`,
        false,
        { cause: error },
      );
    }
  }

  /**
   * Upgrades to TLS after the server's "220" to STARTTLS. Bytes the server
   * sent after that reply would be plain text slipped into the encrypted
   * session (CVE-2011-0411), so they are an error.
   */
  async startTls(): Promise<void> {
    if (this.#parser.pending) {
      throw this.#protocolError(
        new SmtpProtocolError("The server sent data after its STARTTLS reply"),
      );
    }
    const { host, timeoutMs, caCerts } = this.#options;
    try {
      await bounded(this.#socket.startTls(), timeoutMs, "the TLS handshake", () => this.close());
    } catch (error) {
      this.close();
      if (error instanceof DeliveryError) throw error;
      throw tlsError(host, "STARTTLS", error, caCerts);
    }
    this.secure = true;
  }

  /** The name sup gives in EHLO: the host name when it has a dot, else `[local address]`. */
  clientName(hostname: string): string {
    if (hostname.includes(".")) return hostname;
    const local = this.#socket.localAddress;
    return local.includes(":") ? `[IPv6:${local}]` : `[${local}]`;
  }

  /** Closes the socket (again is harmless). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}
