/**
 * The app WebSocket channel: `ws://127.0.0.1:3001/app?job=NAME`, on its own
 * port (`network.websocket`). A codec of the app protocol: apps send JSON
 * frames (see `websocket_frames.ts`) that become `AppCommand`s for the one
 * app command handler; its replies go back as frames, and "message" replies
 * are relayed to the other connections. A bad frame gets an error frame and
 * the connection stays; nothing an app sends can crash sup.
 *
 * @module
 */

import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { WSContext } from "hono/ws";
import { type Connection, RateWindow, send, sendText, withRef } from "./websocket_connection.ts";
import type { AppCommand, AppReply, HandleAppCommand } from "../apps/app_command.ts";
import { createJobResolver } from "../apps/resolve_job.ts";
import type { ResolvedConfig, ResolvedListen } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import { type FrameRef, MAX_FRAME_CHARS, parseFrame } from "./websocket_frames.ts";
import { ListenSlot, type ServeInfo } from "../net/listen_slot.ts";
import { servedAddresses } from "../apps/sender.ts";
import { RejectionLog } from "./rejection_log.ts";
import { getLogger } from "@logtape/logtape";

const log = getLogger(["sup", "channel", "websocket"]);

/** Tuning for the channel; the defaults suit production. */
export interface WebSocketChannelOptions {
  /** Largest text frame accepted. @default 65536 */
  maxFrameChars?: number;
  /** Error frames sent per connection per second; the rest are only counted. @default 20 */
  errorFramesPerSecond?: number;
  /** Shortest time between two reports (log line, `channel.rejected`) of one reason. @default 5000 */
  reportIntervalMs?: number;
}

/** What the channel is built on. */
export interface WebSocketChannelParts {
  /** The running config (`network.websocket`, the jobs) and the event bus (`channel.rejected`). */
  api: Pick<SupervisorApi, "config" | "bus">;
  /** The one app command handler. */
  handle: HandleAppCommand;
}

/** Counters since the channel started. */
export interface WebSocketChannelStats {
  /** Open connections now. */
  connections: number;
  /** Text frames received. */
  frames: number;
  /** Heartbeats accepted. */
  heartbeats: number;
  /** Frames refused as malformed (not JSON, unknown type, wrong types, oversized, binary). */
  badFrames: number;
  /** Well-formed frames refused (unknown job, job not running, unknown app id). */
  refused: number;
  /** Refusals of both kinds by reason code ("not-json", "oversized", "binary", "bad-frame", "unknown-job", "not-running", "unknown-app", "failed"). */
  rejectedBy: Record<string, number>;
}

/** The app WebSocket channel (a `Component` of `sup run`): a Hono app plus its own HTTP server. */
export class WebSocketChannel {
  /** The Hono app (route `/app`); usable without a port through `app.fetch`. */
  readonly app: Hono;
  #api: Pick<SupervisorApi, "config" | "bus">;
  #handle: HandleAppCommand;
  #maxFrameChars: number;
  #errorBudget: number;
  #rejections: RejectionLog;
  #connections = new Set<Connection>();
  #stats = { frames: 0, heartbeats: 0, badFrames: 0, refused: 0 };
  #slot: ListenSlot;

  /** Builds the channel over `parts`; `apply()` starts it. */
  constructor(parts: WebSocketChannelParts, options: WebSocketChannelOptions = {}) {
    this.#api = parts.api;
    this.#handle = parts.handle;
    this.#maxFrameChars = options.maxFrameChars ?? MAX_FRAME_CHARS;
    this.#errorBudget = options.errorFramesPerSecond ?? 20;
    this.#rejections = new RejectionLog(
      "websocket",
      parts.api.bus,
      options.reportIntervalMs ?? 5000,
    );
    const resolveJob = createJobResolver(() => this.#api.config());
    this.app = new Hono();
    this.#slot = new ListenSlot(
      "app WebSocket channel",
      (request, info) => this.app.fetch(request, info),
      (error) => log.error(error.message),
    );
    this.app.get("/app", (c) => {
      // Exactly as `upgradeWebSocket` tests it, so anything else gets this 426, not a 500.
      if (c.req.header("upgrade") !== "websocket") {
        return c.json({ error: "Expected a WebSocket upgrade on /app" }, 426);
      }
      const explicit = c.req.query("job") || null;
      const resolved = resolveJob(explicit);
      if (explicit !== null && !resolved.ok) return c.json({ error: resolved.reason }, 404);
      const info = c.env as ServeInfo | undefined;
      const remote = info?.remoteAddr;
      const conn: Connection = {
        ws: null as unknown as WSContext,
        peer: {
          channel: "websocket",
          name: remote ? `${remote.hostname}:${remote.port}` : "a WebSocket client",
          job: resolved.ok ? resolved.job : null,
          ...servedAddresses(info),
        },
        errors: new RateWindow(this.#errorBudget),
      };
      return upgradeWebSocket(c, {
        onOpen: (_event, ws) => {
          conn.ws = ws;
          this.#connections.add(conn);
        },
        onMessage: (event, ws) => {
          conn.ws = ws;
          this.#receive(conn, event.data);
        },
        onClose: () => this.#connections.delete(conn),
        onError: () => this.#connections.delete(conn),
      });
    });
  }

  /** Where the channel listens, or null when it does not. */
  get addr(): ResolvedListen | null {
    return this.#slot.addr;
  }

  /** Counters since the channel started. */
  stats(): WebSocketChannelStats {
    return {
      connections: this.#connections.size,
      ...this.#stats,
      rejectedBy: this.#rejections.counts(),
    };
  }

  /** Listens on `at`, default `network.websocket` of the running config; false when the port could not be bound (logged). */
  start(at?: ResolvedListen): Promise<boolean> {
    return this.#slot.follow(at ?? this.#api.config().network.websocket);
  }

  /**
   * Follows the config: listens on `network.websocket` from the first call,
   * moves when that address changes (open connections are closed; clients
   * reconnect).
   */
  async apply(config: ResolvedConfig): Promise<void> {
    const next = config.network.websocket;
    if (this.#slot.isAt(next)) return;
    this.#closeConnections();
    await this.#slot.follow(next);
  }

  /** Closes every connection and the server. */
  async close(): Promise<void> {
    this.#closeConnections();
    await this.#slot.close();
  }

  #closeConnections(): void {
    for (const conn of this.#connections) {
      try {
        conn.ws.close(1001, "sup is moving or stopping the WebSocket channel");
      } catch {
        // Already closing.
      }
    }
    this.#connections.clear();
  }

  #receive(conn: Connection, data: unknown): void {
    this.#stats.frames++;
    if (typeof data !== "string") {
      this.#bad(conn, "binary", "Binary frames are not supported; send JSON text", null);
      return;
    }
    const parsed = parseFrame(data, this.#maxFrameChars, conn.peer.job ?? undefined);
    if (!parsed.ok) {
      this.#bad(conn, parsed.code, parsed.error, parsed.ref);
      return;
    }
    const reply = this.#handle(parsed.command, conn.peer);
    this.#answer(conn, parsed.command, reply, parsed.ref);
  }

  /** Encodes the handler's reply as frames. */
  #answer(conn: Connection, command: AppCommand, reply: AppReply, ref: FrameRef | null): void {
    switch (reply.type) {
      case "ok":
        if (command.type === "heartbeat") this.#stats.heartbeats++;
        return;
      case "config":
        send(conn, { type: "config", data: reply.app, ...withRef(ref) });
        return;
      case "registered":
        send(conn, { type: "registered", app: reply.app, id: reply.app.id, ...withRef(ref) });
        return;
      case "unregistered":
        send(conn, { type: "unregistered", id: reply.id, ok: reply.ok, ...withRef(ref) });
        return;
      case "relay":
        this.#relay(conn, reply.to, reply.args[0]);
        return;
      case "refused":
        this.#stats.refused++;
        this.#answerError(conn, reply.code, reply.error, ref);
        return;
      default: {
        const never: never = reply;
        throw new Error(`Unhandled reply ${JSON.stringify(never)}`);
      }
    }
  }

  /** Passes a message on to the other connections: those of job `to`, or all for "*". */
  #relay(from: Connection, to: string, data: unknown): void {
    const frame = JSON.stringify({ type: "message", from: from.peer.job, to, data });
    for (const conn of this.#connections) {
      if (conn === from) continue;
      if (to !== "*" && conn.peer.job !== to) continue;
      sendText(conn, frame);
    }
  }

  #bad(conn: Connection, code: string, error: string, ref: FrameRef | null): void {
    this.#stats.badFrames++;
    this.#answerError(conn, code, error, ref);
  }

  /** Counts and reports the refusal (rate-limited per reason) and answers with an error frame (rate-limited per connection). */
  #answerError(conn: Connection, code: string, error: string, ref: FrameRef | null): void {
    this.#rejections.report(code, error);
    if (conn.errors.take(Date.now())) send(conn, { type: "error", error, ...withRef(ref) });
  }
}
