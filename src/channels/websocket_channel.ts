/**
 * The app WebSocket channel: `ws://127.0.0.1:3001/app?job=NAME`, on its own
 * port (`network.websocket`). Apps send JSON frames (heartbeats, logs,
 * events, restart, config requests, app-to-app messages, self-registration);
 * see `websocket_frames.ts`. A bad frame gets an error frame and the
 * connection stays; nothing an app sends can crash sup.
 *
 * @module
 */

import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { WSContext } from "hono/ws";
import { type Connection, RateWindow, send, sendText, withRef } from "./websocket_connection.ts";
import { type AppChannelContext, AppNotAllowedError } from "../apps/app_context.ts";
import type { ResolvedConfig, ResolvedListen } from "../config/resolved.ts";
import { type AppFrame, type FrameRef, MAX_FRAME_CHARS, parseFrame } from "./websocket_frames.ts";
import { ListenerSlot } from "../net/listen_slot.ts";
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

/** The app WebSocket channel: a Hono app plus its own listener. */
export class WebSocketChannel {
  /** The Hono app (route `/app`); usable without a port through `app.fetch`. */
  readonly app: Hono;
  #ctx: AppChannelContext;
  #maxFrameChars: number;
  #errorBudget: number;
  #rejections: RejectionLog;
  #connections = new Set<Connection>();
  #stats = { frames: 0, heartbeats: 0, badFrames: 0, refused: 0 };
  #slot: ListenerSlot;

  /** Builds the channel over `ctx` (heartbeats, apps, jobs, the bus); `apply()` starts it. */
  constructor(ctx: AppChannelContext, options: WebSocketChannelOptions = {}) {
    this.#ctx = ctx;
    this.#maxFrameChars = options.maxFrameChars ?? MAX_FRAME_CHARS;
    this.#errorBudget = options.errorFramesPerSecond ?? 20;
    this.#rejections = new RejectionLog("websocket", ctx.api.bus, options.reportIntervalMs ?? 5000);
    this.app = new Hono();
    this.#slot = new ListenerSlot(
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
      const resolved = this.#ctx.resolveJob(explicit);
      if (explicit !== null && !resolved.ok) return c.json({ error: resolved.reason }, 404);
      const conn: Connection = {
        ws: null as unknown as WSContext,
        job: resolved.ok ? resolved.job : null,
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
    return this.#slot.follow(at ?? this.#ctx.api.config().network.websocket);
  }

  /**
   * Follows the config (the `Service` contract of `sup run`): listens on
   * `network.websocket` from the first call, moves when that address changes
   * (open connections are closed; clients reconnect).
   */
  async apply(config: ResolvedConfig): Promise<void> {
    const next = config.network.websocket;
    if (this.#slot.isAt(next)) return;
    this.#closeConnections();
    await this.#slot.follow(next);
  }

  /** Closes every connection and the listener. */
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
    const parsed = parseFrame(data, this.#maxFrameChars, conn.job ?? undefined);
    if (!parsed.ok) {
      this.#bad(conn, parsed.code, parsed.error, parsed.ref);
      return;
    }
    try {
      this.#handle(conn, parsed.frame);
    } catch (error) {
      // A failure behind one frame (a listener, the registry) must not end the connection.
      const message = error instanceof Error ? error.message : String(error);
      const code = error instanceof AppNotAllowedError ? "not-allowed" : "failed";
      this.#refuse(conn, code, message, "ref" in parsed.frame ? parsed.frame.ref : null);
    }
  }

  #handle(conn: Connection, frame: AppFrame): void {
    const ctx = this.#ctx;
    switch (frame.type) {
      case "heart": {
        const job = this.#jobFor(conn, frame.job, true);
        if (job === null) return;
        if (ctx.heartbeat(job)) this.#stats.heartbeats++;
        else {this.#refuse(
            conn,
            "not-running",
            `Job "${job}" is not running; heartbeat ignored`,
            null,
          );}
        return;
      }
      case "log":
      case "event": {
        const job = frame.job === null ? conn.job : this.#jobFor(conn, frame.job, false);
        if (frame.job !== null && job === null) return;
        const at = Date.now();
        if (frame.type === "log") {
          ctx.api.bus.emit({
            type: "app.log",
            at,
            job,
            level: frame.level,
            message: frame.message,
          });
        } else {
          const { category, action, label, value } = frame;
          ctx.api.bus.emit({ type: "app.event", at, job, category, action, label, value });
        }
        return;
      }
      case "restart": {
        const job = this.#jobFor(conn, frame.job, true);
        if (job === null) return;
        ctx.api.restart(job, { source: "app", detail: "restart frame on the WebSocket channel" });
        return;
      }
      case "configRequest":
        send(conn, { type: "config", data: ctx.api.config().app, ...withRef(frame.ref) });
        return;
      case "message":
        this.#relay(conn, frame.to, frame.data);
        return;
      case "register": {
        const app = ctx.apps.register(frame.registration);
        send(conn, { type: "registered", app, id: app.id, ...withRef(frame.ref) });
        return;
      }
      case "refresh":
        if (!ctx.apps.refresh(frame.id)) {
          this.#refuse(conn, "unknown-app", `No registered app with id "${frame.id}"`, frame.ref);
        }
        return;
      case "unregister": {
        const ok = ctx.apps.unregister(frame.id);
        send(conn, { type: "unregistered", id: frame.id, ok, ...withRef(frame.ref) });
        return;
      }
      default: {
        const never: never = frame;
        throw new Error(`Unhandled frame ${JSON.stringify(never)}`);
      }
    }
  }

  /** The job a frame is about, or null after refusing it. */
  #jobFor(conn: Connection, explicit: string | null, required: boolean): string | null {
    if (explicit === null && conn.job !== null) return conn.job;
    if (explicit === null && !required) return null;
    const resolved = this.#ctx.resolveJob(explicit);
    if (resolved.ok) return resolved.job;
    this.#refuse(conn, "unknown-job", resolved.reason, null);
    return null;
  }

  #relay(from: Connection, to: string, data: unknown): void {
    const frame = JSON.stringify({ type: "message", from: from.job, to, data });
    for (const conn of this.#connections) {
      if (conn === from) continue;
      if (to !== "*" && conn.job !== to) continue;
      sendText(conn, frame);
    }
    const bus = this.#ctx.api.bus;
    if (bus.hasListeners("app.message")) {
      bus.emit({
        type: "app.message",
        at: Date.now(),
        job: from.job,
        channel: "websocket",
        address: to,
        args: [data],
      });
    }
  }

  #bad(conn: Connection, code: string, error: string, ref: FrameRef | null): void {
    this.#stats.badFrames++;
    this.#answerError(conn, code, error, ref);
  }

  #refuse(conn: Connection, code: string, error: string, ref: FrameRef | null): void {
    this.#stats.refused++;
    this.#answerError(conn, code, error, ref);
  }

  /** Counts and reports the refusal (rate-limited per reason) and answers with an error frame (rate-limited per connection). */
  #answerError(conn: Connection, code: string, error: string, ref: FrameRef | null): void {
    this.#rejections.report(code, error);
    if (conn.errors.take(Date.now())) send(conn, { type: "error", error, ...withRef(ref) });
  }
}
