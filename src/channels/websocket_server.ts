/**
 * sup's WebSocket server on a raw TCP stream (`listenTcp`): reads the HTTP
 * upgrade request (at most 8 KB, within 10 s), asks its owner to accept or
 * refuse it (an HTTP status with a JSON `{error}`), then speaks RFC 6455
 * through `websocket_wire.ts`. Bounds, whatever a client does:
 * - open connections (upgraded or still in their handshake) at most
 *   `maxConnections()`; more get 503 at once;
 * - an inbound message keeps at most `maxMessageBytes` in memory (the
 *   reader drops the rest as it arrives);
 * - bytes queued for a client at most `maxQueuedBytes`: past it, messages
 *   to that client are dropped (a burst to a slow reader), and once its
 *   queue has not moved for `STALL_MS` the client is not reading: its
 *   connection is dropped (`onSlow`).
 *
 * @module
 */

import {
  acceptKey,
  closeFrame,
  encodeFrame,
  FrameReader,
  OP,
  textFrame,
  type WireEvent,
} from "./websocket_wire.ts";
import {
  closeQuietly,
  parseHead,
  readHead,
  respond,
  type UpgradeRequest,
  writeAll,
} from "./websocket_handshake.ts";

export type { UpgradeRequest };

const CLOSE_GRACE_MS = 2_000;
/** A client whose full queue has not moved for this long is not reading: it is dropped. */
export const STALL_MS = 2_000;

/** What an accepted connection's owner hears. */
export interface WireListener {
  /** A whole text message. */
  text(text: string): void;
  /** A whole binary message of `size` bytes (not kept). */
  binary(size: number): void;
  /** A message over the size limit, dropped; `size` is its length. */
  oversized(size: number): void;
  /** The connection is gone (closed by either side, or dropped). */
  closed(): void;
}

/** The owner's answer to an upgrade request. */
export type UpgradeAnswer =
  | { status: number; error: string; headers?: Record<string, string> }
  | { open(socket: WireSocket): WireListener };

/** How the server is bounded and whom it asks. */
export interface WireServerOptions {
  /** Decides on an upgrade request. */
  upgrade(request: UpgradeRequest): UpgradeAnswer;
  /** Open connections at most, and the 503 message when over. */
  maxConnections(): { max: number; refusal: string };
  /** Largest message kept, in bytes (read per connection at its start). */
  maxMessageBytes(): number;
  /** Bytes queued for one client beyond which it is dropped. */
  maxQueuedBytes(): number;
  /** Called when a connection is refused because the server is full. */
  onFull(): void;
  /** Called when a client is dropped for not reading. */
  onSlow(socket: WireSocket): void;
}

/** An upgraded connection: sends that queue up to a bound, and close. */
export class WireSocket {
  /** The client's address. */
  readonly remote: Deno.NetAddr;
  /** sup's address the client connected to. */
  readonly local: Deno.NetAddr;
  #conn: Deno.Conn;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #ended = false;
  #closing = false;
  #maxQueued: number;
  #lastProgress = 0;
  #stallTimer: ReturnType<typeof setTimeout> | null = null;
  #onSlow: () => void;
  #onEnd: () => void;

  /** Wraps an upgraded `conn`. */
  constructor(conn: Deno.Conn, maxQueued: number, onSlow: () => void, onEnd: () => void) {
    this.#conn = conn;
    this.remote = conn.remoteAddr as Deno.NetAddr;
    this.local = conn.localAddr as Deno.NetAddr;
    this.#maxQueued = maxQueued;
    this.#onSlow = onSlow;
    this.#onEnd = onEnd;
  }

  /** True until closing starts or the connection ends. */
  get open(): boolean {
    return !this.#ended && !this.#closing;
  }

  /** True once the connection is gone. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Bytes waiting to be written to the client. */
  get queuedBytes(): number {
    return this.#queued;
  }

  /** Sends a text message; false when the socket is not open or was dropped for not reading. */
  sendText(text: string): boolean {
    return this.sendFrame(textFrame(text));
  }

  /**
   * Sends an encoded frame (one buffer may be shared by many sockets: a
   * broadcast). False when not sent: the socket is not open, or its queue is
   * full (the frame is dropped; a client whose queue then stays stuck for
   * `STALL_MS` is dropped).
   */
  sendFrame(frame: Uint8Array): boolean {
    if (!this.open) return false;
    if (this.#queued + frame.length > this.#maxQueued) {
      this.#watchStall();
      return false;
    }
    this.#enqueue(frame);
    return true;
  }

  #watchStall(): void {
    if (Date.now() - this.#lastProgress >= STALL_MS) {
      this.#dropSlow();
      return;
    }
    this.#stallTimer ??= setTimeout(() => {
      this.#stallTimer = null;
      if (this.#ended || this.#queued === 0) return;
      if (Date.now() - this.#lastProgress >= STALL_MS) this.#dropSlow();
      else this.#watchStall();
    }, STALL_MS - (Date.now() - this.#lastProgress));
  }

  #dropSlow(): void {
    if (this.#ended) return;
    this.#onSlow();
    this.end();
  }

  /** Sends a close frame, then ends the connection once it is written (or after a grace time). */
  close(code = 1000, reason = ""): void {
    if (!this.open) return;
    this.#closing = true;
    this.#enqueue(closeFrame(code, reason));
    const timer = setTimeout(() => this.end(), CLOSE_GRACE_MS);
    void this.#drained().then(() => {
      clearTimeout(timer);
      this.end();
    });
  }

  /** Ends the connection now, dropping what is queued. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#stallTimer !== null) clearTimeout(this.#stallTimer);
    this.#queue = [];
    this.#queued = 0;
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
    this.#onEnd();
  }

  /** Sends a pong (not bounded: control frames are at most 127 bytes and answer the client's own ping). */
  pong(payload: Uint8Array): void {
    if (this.open) this.#enqueue(encodeFrame(OP.pong, payload));
  }

  #enqueue(frame: Uint8Array): void {
    if (this.#queue.length === 0) this.#lastProgress = Date.now();
    this.#queue.push(frame);
    this.#queued += frame.length;
    if (!this.#writing) void this.#pump();
  }

  #idle: (() => void)[] = [];

  #drained(): Promise<void> {
    if (!this.#writing) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #pump(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && !this.#ended) {
        const frame = this.#queue[0];
        for (let at = 0; at < frame.length;) at += await this.#conn.write(frame.subarray(at));
        this.#queue.shift();
        this.#queued -= frame.length;
        this.#lastProgress = Date.now();
      }
    } catch {
      this.end();
    } finally {
      this.#writing = false;
      for (const resolve of this.#idle.splice(0)) resolve();
    }
  }
}

/** Serves WebSocket upgrades on accepted TCP connections (see `listenTcp`). */
export class WireServer {
  #options: WireServerOptions;
  #conns = new Set<Deno.Conn>();

  /** A server asking `options` about every connection. */
  constructor(options: WireServerOptions) {
    this.#options = options;
  }

  /** Open TCP connections (in their handshake or upgraded). */
  get active(): number {
    return this.#conns.size;
  }

  /** Takes an accepted connection; never throws. */
  accept(conn: Deno.Conn): void {
    const { max, refusal } = this.#options.maxConnections();
    if (this.#conns.size >= max) {
      this.#options.onFull();
      void respond(conn, 503, refusal).finally(() => closeQuietly(conn));
      return;
    }
    this.#conns.add(conn);
    void this.#serve(conn).catch(() => {}).finally(() => {
      this.#conns.delete(conn);
      closeQuietly(conn);
    });
  }

  /** Ends every connection (the owner closes its sockets first, with a close frame). */
  endAll(): void {
    for (const conn of this.#conns) closeQuietly(conn);
    this.#conns.clear();
  }

  async #serve(conn: Deno.Conn): Promise<void> {
    const head = await readHead(conn);
    if (head === null) return;
    const request = parseHead(head.text, conn);
    if (request === null) return await respond(conn, 400, "Malformed HTTP request");
    const answer = this.#options.upgrade(request);
    if ("status" in answer) return await respond(conn, answer.status, answer.error, answer.headers);
    const key = request.headers.get("sec-websocket-key");
    if (request.headers.get("sec-websocket-version") !== "13") {
      const headers = { "Sec-WebSocket-Version": "13" };
      return await respond(conn, 426, "Expected Sec-WebSocket-Version 13", headers);
    }
    if (!key) return await respond(conn, 400, "Missing Sec-WebSocket-Key");
    await writeAll(
      conn,
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        `Sec-WebSocket-Accept: ${await acceptKey(key)}\r\n\r\n`,
    );
    let listener: WireListener | null = null;
    const socket = new WireSocket(
      conn,
      this.#options.maxQueuedBytes(),
      () => this.#options.onSlow(socket),
      () => listener?.closed(),
    );
    listener = answer.open(socket);
    const reader = new FrameReader(this.#options.maxMessageBytes());
    const dispatch = (events: WireEvent[]) => {
      for (const event of events) handle(socket, listener!, event);
    };
    dispatch(reader.push(head.rest));
    const buffer = new Uint8Array(64 * 1024);
    try {
      // Reads on while closing, until the client's close or the grace time ends the connection.
      while (!socket.ended) {
        const n = await conn.read(buffer);
        if (n === null) break;
        dispatch(reader.push(buffer.subarray(0, n)));
      }
    } finally {
      socket.end();
    }
  }
}

function handle(socket: WireSocket, listener: WireListener, event: WireEvent): void {
  if (!socket.open) return;
  switch (event.kind) {
    case "text":
      return listener.text(event.text);
    case "binary":
      return listener.binary(event.size);
    case "oversized":
      return listener.oversized(event.size);
    case "ping":
      return socket.pong(event.payload);
    case "pong":
      return;
    case "close":
      return socket.close(event.code ?? 1000);
    case "violation":
      return socket.close(event.code, event.reason);
    default: {
      const never: never = event;
      throw new Error(`Unhandled wire event ${JSON.stringify(never)}`);
    }
  }
}
