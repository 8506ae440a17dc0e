/**
 * The byte stream an SMTP session runs over, and its usual implementation
 * on Deno's own sockets (`Deno.connect`, `Deno.connectTls`,
 * `Deno.startTls`, rustls underneath). `smtp_node_socket.ts` is the other
 * one, for the single case rustls refuses (see `isCaUsedAsServerCert`).
 *
 * @module
 */

/** Where and how to connect. */
export interface ConnectOptions {
  host: string;
  port: number;
  /** TLS from the first byte (SMTPS, usually port 465). */
  secure: boolean;
  /** PEM certificates trusted besides the system's (a self-signed server). */
  caCerts: string[];
  /** Bound on each step, ms. */
  timeoutMs: number;
}

/** A connected stream, plain or TLS. */
export interface SmtpSocket {
  /** Reads into `buffer`; the count, or null at the end of the stream. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `bytes`; the count written. */
  write(bytes: Uint8Array): Promise<number>;
  /** Upgrades the stream to TLS in place; resolves once the handshake is done. */
  startTls(): Promise<void>;
  /** This end's IP address (for EHLO when the host name has no dot). */
  readonly localAddress: string;
  /** Closes the stream; again is harmless. */
  close(): void;
}

/** Opens a socket (TLS handshake done when `secure`); `signal` aborts the attempt. */
export type SocketOpener = (options: ConnectOptions, signal: AbortSignal) => Promise<SmtpSocket>;

/** The TLS handshake failed (as opposed to reaching the server). */
export class TlsHandshakeError extends Error {
  override name = "TlsHandshakeError";
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/**
 * True when TLS failed because the server's certificate is a CA
 * certificate (`CA:TRUE`, what `openssl req -x509` makes by default) used
 * as the server's own, self-signed one: rustls (webpki) refuses that even
 * when the certificate is in `caCerts`; OpenSSL, and so Node's TLS, accept it.
 */
export function isCaUsedAsServerCert(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e.message.includes("CaUsedAsEndEntity")) return true;
  }
  return false;
}

class DenoSocket implements SmtpSocket {
  #conn: Deno.TcpConn | Deno.TlsConn;
  #options: ConnectOptions;

  constructor(conn: Deno.TcpConn | Deno.TlsConn, options: ConnectOptions) {
    this.#conn = conn;
    this.#options = options;
  }

  get localAddress(): string {
    return this.#conn.localAddr.hostname;
  }

  read(buffer: Uint8Array): Promise<number | null> {
    return this.#conn.read(buffer);
  }

  write(bytes: Uint8Array): Promise<number> {
    return this.#conn.write(bytes);
  }

  async startTls(): Promise<void> {
    // No read is pending here (reads happen only while a reply is awaited), as startTls needs.
    const tls = await Deno.startTls(this.#conn as Deno.TcpConn, {
      hostname: this.#options.host,
      caCerts: this.#options.caCerts,
    });
    this.#conn = tls;
    try {
      await tls.handshake();
    } catch (error) {
      throw new TlsHandshakeError(error);
    }
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

/** Opens a socket with Deno's own TCP and TLS. */
export const denoSocket: SocketOpener = async (options, signal) => {
  const { host: hostname, port, caCerts } = options;
  const connecting: Promise<Deno.TcpConn | Deno.TlsConn> = options.secure
    ? Deno.connectTls({ hostname, port, caCerts })
    : Deno.connect({ hostname, port, signal });
  // A connection that arrives after the caller gave up is closed at once.
  connecting.then((conn) => signal.aborted && conn.close(), () => {});
  const conn = await connecting;
  const socket = new DenoSocket(conn, options);
  if (options.secure) {
    const closeOnAbort = () => socket.close();
    signal.addEventListener("abort", closeOnAbort);
    try {
      await (conn as Deno.TlsConn).handshake();
    } catch (error) {
      socket.close();
      throw new TlsHandshakeError(error);
    } finally {
      signal.removeEventListener("abort", closeOnAbort);
    }
  }
  return socket;
};
