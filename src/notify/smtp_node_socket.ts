/**
 * An `SmtpSocket` on Deno's Node layer (`node:net`, `node:tls`), used for
 * one case only: a server whose self-signed certificate is a CA
 * certificate (`CA:TRUE`, what `openssl req -x509` makes by default),
 * trusted through `smtp.ca`. Deno's own TLS (rustls) refuses such a
 * certificate as a server's ("CaUsedAsEndEntity"); Node's TLS checks it as
 * OpenSSL does and accepts it. Imported only when that happens, so the
 * Node layer's memory (several MiB) is spent only by configs that need it.
 *
 * @module
 */

import { connect as netConnect, isIP, type Socket } from "node:net";
import { connect as tlsConnect, type TLSSocket } from "node:tls";
import {
  type ConnectOptions,
  type SmtpSocket,
  type SocketOpener,
  TlsHandshakeError,
} from "./smtp_socket.ts";

class NodeSocket implements SmtpSocket {
  #socket: Socket | TLSSocket;
  #options: ConnectOptions;
  #chunks: Uint8Array[] = [];
  #ended = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;

  constructor(socket: Socket | TLSSocket, options: ConnectOptions) {
    this.#options = options;
    this.#socket = socket;
    this.#attach(socket);
  }

  #attach(socket: Socket | TLSSocket): void {
    const wake = () => {
      this.#wake?.();
      this.#wake = null;
    };
    socket.on("data", (chunk: Uint8Array) => {
      this.#chunks.push(chunk);
      wake();
    });
    socket.on("end", () => {
      this.#ended = true;
      wake();
    });
    socket.on("close", () => {
      this.#ended = true;
      wake();
    });
    socket.on("error", (error: Error) => {
      this.#error = error;
      wake();
    });
  }

  get localAddress(): string {
    return this.#socket.localAddress ?? "127.0.0.1";
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0 && !this.#ended && this.#error === null) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    if (this.#chunks.length === 0) {
      if (this.#error) throw this.#error;
      return null;
    }
    const chunk = this.#chunks[0];
    const count = Math.min(chunk.length, buffer.length);
    buffer.set(chunk.subarray(0, count));
    if (count === chunk.length) this.#chunks.shift();
    else this.#chunks[0] = chunk.subarray(count);
    return count;
  }

  write(bytes: Uint8Array): Promise<number> {
    if (this.#error) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#socket.write(bytes, (error) => error ? reject(error) : resolve(bytes.length));
    });
  }

  async startTls(): Promise<void> {
    const plain = this.#socket;
    plain.removeAllListeners("data");
    plain.removeAllListeners("end");
    plain.removeAllListeners("close");
    plain.removeAllListeners("error");
    plain.on("error", () => {}); // the TLS socket reports it
    try {
      this.#socket = await secured(tlsConnect(tlsOptions(this.#options, plain)));
    } catch (error) {
      plain.destroy();
      throw new TlsHandshakeError(error);
    }
    this.#attach(this.#socket);
  }

  close(): void {
    this.#ended = true;
    this.#socket.destroy();
    this.#wake?.();
  }
}

function tlsOptions(options: ConnectOptions, socket?: Socket) {
  return {
    socket,
    host: options.host,
    port: options.port,
    // SNI takes names only; an IP address is checked against the certificate by `host`.
    servername: isIP(options.host) ? undefined : options.host,
    ca: options.caCerts,
  };
}

/** Waits for the TLS handshake (or its error). */
function secured(socket: TLSSocket): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    socket.once("secureConnect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** Opens a socket with Node's `net` and `tls`. */
export const nodeSocket: SocketOpener = async (options, signal) => {
  const socket = options.secure
    ? tlsConnect(tlsOptions(options))
    : netConnect({ host: options.host, port: options.port });
  const abort = () => socket.destroy();
  signal.addEventListener("abort", abort);
  try {
    if (options.secure) await secured(socket as TLSSocket);
    else {
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", () => {
          socket.off("error", reject);
          resolve();
        });
        socket.once("error", reject);
      });
    }
  } catch (error) {
    socket.destroy();
    // Node names socket errors E...; anything else on a TLS socket is the handshake's.
    const code = String((error as { code?: unknown }).code ?? "");
    throw options.secure && !/^E[A-Z]+$/.test(code) ? new TlsHandshakeError(error) : error;
  } finally {
    signal.removeEventListener("abort", abort);
  }
  return new NodeSocket(socket, options);
};
