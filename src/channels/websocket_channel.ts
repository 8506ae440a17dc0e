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

import { type Connection, RateWindow, send, withRef } from "./websocket_connection.ts";
import type { AppCommand, AppReply, HandleAppCommand } from "../apps/app_command.ts";
import { createJobResolver } from "../apps/resolve_job.ts";
import type { ResolvedConfig, ResolvedListen } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import { type FrameRef, MAX_FRAME_CHARS, parseFrame } from "./websocket_frames.ts";
import { ListenSlot } from "../net/listen_slot.ts";
import { listenTcp } from "../net/listen_slot_tcp.ts";
import { allowsOrigin, hostRefusal, originRefusal, servesHost } from "../net/listen_slot_hosts.ts";
import { servedAddresses } from "../apps/sender.ts";
import { RejectionLog } from "./rejection_log.ts";
import { type UpgradeAnswer, type UpgradeRequest, WireServer } from "./websocket_server.ts";
import { textFrame } from "./websocket_wire.ts";
import { getLogger } from "@logtape/logtape";

const log = getLogger(["sup", "channel", "websocket"]);

/** Bytes queued for all connections together beyond which relayed messages are dropped (counted). */
export const MAX_RELAY_QUEUED_BYTES = 64 * 1024 * 1024;

/** Tuning for the channel; the defaults suit production. */
export interface WebSocketChannelOptions {
  /** Largest text frame parsed, in characters (the wire limit is `network.websocket.maxMessageSize`). @default 65536 */
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
  /** Upgrades refused: a `Host` not served (421), an origin not allowed (403), the channel full (503). */
  refusedUpgrades: number;
  /** Clients dropped because they did not read (their full queue did not move for 2 s). */
  droppedSlow: number;
  /** Relayed messages not sent to a connection: its queue was full (`maxQueuedBytes`), or all together had `MAX_RELAY_QUEUED_BYTES`. */
  relaysDropped: number;
  /** Refusals by reason code ("not-json", "oversized", "binary", "bad-frame", "unknown-job", "not-running", "unknown-app", "failed", "host", "origin", "full", "slow"). */
  rejectedBy: Record<string, number>;
}

/** The app WebSocket channel (a `Component` of `sup run`): its own WebSocket server on `network.websocket`. */
export class WebSocketChannel {
  #api: Pick<SupervisorApi, "config" | "bus">;
  #handle: HandleAppCommand;
  #maxFrameChars: number;
  #errorBudget: number;
  #rejections: RejectionLog;
  #connections = new Set<Connection>();
  #stats = {
    frames: 0,
    heartbeats: 0,
    badFrames: 0,
    refused: 0,
    refusedUpgrades: 0,
    droppedSlow: 0,
    relaysDropped: 0,
  };
  #server: WireServer;
  #slot: ListenSlot;
  #resolveJob: ReturnType<typeof createJobResolver>;

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
    this.#resolveJob = createJobResolver(() => this.#api.config());
    const settings = () => this.#api.config().network.websocket;
    this.#server = new WireServer({
      upgrade: (request) => this.#upgrade(request),
      maxConnections: () => ({
        max: settings().maxConnections,
        refusal: `The app WebSocket channel is full (${settings().maxConnections} connections): ` +
          `raise network.websocket.maxConnections to allow more`,
      }),
      maxMessageBytes: () => settings().maxMessageBytes,
      maxQueuedBytes: () => settings().maxQueuedBytes,
      onFull: () => {
        this.#stats.refusedUpgrades++;
        this.#rejections.report(
          "full",
          `refused a connection: ${settings().maxConnections} are open ` +
            `(network.websocket.maxConnections)`,
        );
      },
      onSlow: (socket) => {
        this.#stats.droppedSlow++;
        this.#rejections.report(
          "slow",
          `dropped ${socket.remote.hostname}:${socket.remote.port}: it did not read and ` +
            `${settings().maxQueuedBytes} bytes were queued for it ` +
            `(network.websocket.maxQueuedBytes)`,
        );
      },
    });
    this.#slot = new ListenSlot(
      "app WebSocket channel",
      { bind: (at) => listenTcp("app WebSocket channel", at, (conn) => this.#server.accept(conn)) },
      (error) => log.error(error.message),
    );
  }

  /** Accepts or refuses an upgrade: `Host`, path, upgrade, `Origin`, job, in that order. */
  #upgrade(request: UpgradeRequest): UpgradeAnswer {
    const network = this.#api.config().network;
    const host = request.headers.get("host");
    if (!servesHost(host, network.websocket)) {
      const error = hostRefusal(host ?? "", "app WebSocket channel", "network.websocket.hosts");
      return this.#refuseUpgrade("host", 421, error);
    }
    if (request.path !== "/app") {
      return { status: 404, error: `No route for ${request.method} ${request.path}` };
    }
    if (request.method !== "GET" || request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return { status: 426, error: "Expected a WebSocket upgrade on /app" };
    }
    const origin = request.headers.get("origin");
    const policy = { http: network.http, origins: network.websocket.origins };
    if (!allowsOrigin(origin, policy)) {
      return this.#refuseUpgrade(
        "origin",
        403,
        originRefusal(origin!, "network.websocket.origins"),
      );
    }
    const explicit = request.query.get("job") || null;
    const resolved = this.#resolveJob(explicit);
    if (explicit !== null && !resolved.ok) return { status: 404, error: resolved.reason };
    const remote = request.remote;
    return {
      open: (socket) => {
        const conn: Connection = {
          socket,
          peer: {
            channel: "websocket",
            name: `${remote.hostname}:${remote.port}`,
            job: resolved.ok ? resolved.job : null,
            ...servedAddresses({ remoteAddr: request.remote, localAddr: request.local }),
          },
          errors: new RateWindow(this.#errorBudget),
        };
        this.#connections.add(conn);
        return {
          text: (text) => this.#receive(conn, text),
          binary: () => this.#receive(conn, null),
          oversized: (size) => {
            this.#stats.frames++;
            this.#bad(
              conn,
              "oversized",
              `Message of ${size} bytes is over the ${this.#api.config().network.websocket.maxMessageBytes} ` +
                `byte limit (network.websocket.maxMessageSize); it was dropped`,
              null,
            );
          },
          closed: () => this.#connections.delete(conn),
        };
      },
    };
  }

  #refuseUpgrade(code: string, status: number, error: string): UpgradeAnswer {
    this.#stats.refusedUpgrades++;
    this.#rejections.report(code, error);
    return { status, error };
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
    this.#server.endAll();
  }

  #closeConnections(): void {
    for (const conn of this.#connections) {
      conn.socket.close(1001, "sup is moving or stopping the WebSocket channel");
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

  /**
   * Passes a message on to the other connections: those of job `to`, or all
   * for "*". The frame is encoded once and shared; each connection's queue
   * is bounded, and all of them together by `MAX_RELAY_QUEUED_BYTES`.
   */
  #relay(from: Connection, to: string, data: unknown): void {
    const frame = textFrame(JSON.stringify({ type: "message", from: from.peer.job, to, data }));
    let queued = 0;
    for (const conn of this.#connections) queued += conn.socket.queuedBytes;
    for (const conn of this.#connections) {
      if (conn === from) continue;
      if (to !== "*" && conn.peer.job !== to) continue;
      if (queued + frame.length > MAX_RELAY_QUEUED_BYTES) {
        this.#stats.relaysDropped++;
        continue;
      }
      if (conn.socket.sendFrame(frame)) queued += frame.length;
      else this.#stats.relaysDropped++;
    }
  }

  /**
   * Sends `data` to the connections of `job`'s app as a `message` frame
   * from sup (`from: null`), as listeners' `ctx.send` does; false when
   * none is connected (or every one's queue is full). Throws when `data`
   * is not JSON (a cycle, a BigInt).
   */
  sendTo(job: string, data: unknown): boolean {
    let frame: Uint8Array | null = null;
    let sent = false;
    for (const conn of this.#connections) {
      if (conn.peer.job !== job) continue;
      frame ??= textFrame(JSON.stringify({ type: "message", from: null, to: job, data }));
      if (conn.socket.sendFrame(frame)) sent = true;
      else this.#stats.relaysDropped++;
    }
    return sent;
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
