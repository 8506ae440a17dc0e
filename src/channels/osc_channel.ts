/**
 * The OSC channel: a UDP socket (`udp_socket.ts`) on `network.osc` receiving
 * OSC 1.0 messages and bundles from apps. A codec of the app protocol: each
 * message becomes an `AppCommand` (`osc_command.ts`) for the one app command
 * handler, whose reply goes back as OSC. Heartbeats take a fast path that
 * skips the decoder and allocates nothing; everything malformed or refused
 * is counted by reason, reported at a bounded rate, and dropped. Nothing a
 * datagram holds can throw out of the socket handler.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { ResolvedConfig, ResolvedListen } from "../config/resolved.ts";
import type { SupervisorApi } from "../core/api.ts";
import type { AppCommand, AppPeer, AppReply, HandleAppCommand } from "../apps/app_command.ts";
import { unknownApp } from "../apps/app_command_handler.ts";
import {
  decodeOsc,
  OscDecodeError,
  type OscPacket,
  quickOscMessage,
  quickOscRefusal,
} from "./osc_codec.ts";
import { oscCommand } from "./osc_command.ts";
import { encodeOscMessage } from "./osc_encode.ts";
import { createJobResolver } from "../apps/resolve_job.ts";
import { oscDataMessage } from "./osc_data.ts";
import { HEART_NO_JOB, isBareHeart, matchHeart } from "./osc_fast_path.ts";
import { RejectionLog } from "./rejection_log.ts";
import { openUdp, type UdpPeer, type UdpSocket } from "../net/udp_socket.ts";

const log = getLogger(["sup", "channel", "osc"]);

/** Counters since the channel started. */
export interface OscChannelStats {
  /** Datagrams received. */
  received: number;
  /** OSC messages handled (a bundle counts each of its messages). */
  messages: number;
  /** Heartbeats accepted. */
  heartbeats: number;
  /** Datagrams or messages refused, all reasons. */
  rejected: number;
  /** Refusals by reason code ("not-osc", "truncated", "unknown-job", "bad-arguments"...). */
  rejectedBy: Record<string, number>;
}

/** Tuning; the defaults suit production. */
export interface OscChannelOptions {
  /** Shortest time between two reports (log line, `channel.rejected`) of one reason. @default 5000 */
  reportIntervalMs?: number;
}

/** What the channel is built on. */
export interface OscChannelParts {
  /** The running config (`network.osc`) and the event bus (`channel.rejected`). */
  api: Pick<SupervisorApi, "config" | "bus">;
  /** The one app command handler. */
  handle: HandleAppCommand;
}

/**
 * The sender of fast-path heartbeats. The handler names a sender only in the
 * reasons of actions, which heartbeats never take; refusals name the real one.
 */
const HEART_PEER: AppPeer = Object.freeze({
  channel: "osc",
  name: "OSC heartbeat",
  job: null,
  address: null,
  local: null,
});

/** Receives OSC from apps (a `Component` of `sup run`): `start`, `apply(config)`, `close`. */
export class OscChannel {
  #api: Pick<SupervisorApi, "config" | "bus">;
  #handle: HandleAppCommand;
  #socket: UdpSocket | null = null;
  #bound: ResolvedListen | null = null;
  #asked: ResolvedListen | null = null;
  #rejections: RejectionLog;
  #stats = { received: 0, messages: 0, heartbeats: 0 };
  /** The heartbeat command of the fast path, reused for every datagram. */
  #heart: Extract<AppCommand, { type: "heartbeat" }> = { type: "heartbeat", job: null };

  /** Jobs whose apps have sent sup OSC since it started (`sendTo` reaches only them). */
  #heard = new Set<string>();
  #resolveJob: ReturnType<typeof createJobResolver>;

  /** A channel over `parts`; `start()` or `apply()` binds it. */
  constructor(parts: OscChannelParts, options: OscChannelOptions = {}) {
    this.#api = parts.api;
    this.#resolveJob = createJobResolver(() => this.#api.config());
    this.#handle = parts.handle;
    this.#rejections = new RejectionLog("osc", parts.api.bus, options.reportIntervalMs ?? 5000);
  }

  /** Where the channel listens (the real port when 0 was asked), or null. */
  get addr(): ResolvedListen | null {
    return this.#bound;
  }

  /** Counters since the channel started. */
  stats(): OscChannelStats {
    return {
      ...this.#stats,
      rejected: this.#rejections.total(),
      rejectedBy: this.#rejections.counts(),
    };
  }

  /**
   * Sends `data` to `job`'s app over OSC (to `network.osc.appHost:appPort`,
   * where `/config` answers go), as listeners' `ctx.send` does:
   * `{ address: "/x", args: [...] }` as that message, anything else as
   * `/message` with its JSON text. False when the job's app has never sent
   * sup OSC or the channel is closed. Throws on data OSC cannot carry.
   */
  sendTo(job: string, data: unknown): boolean {
    if (!this.#socket || !this.#heard.has(job)) return false;
    const { appHost, appPort } = this.#api.config().network.osc;
    const message = oscDataMessage(data);
    this.#send(encodeOscMessage(message.address, message.args), appPort, appHost);
    return true;
  }

  /** Remembers that `job` (null: the implicit one) speaks OSC. Allocates nothing once known. */
  #hear(job: string | null): void {
    const resolved = this.#resolveJob(job);
    if (resolved.ok) this.#heard.add(resolved.job);
  }

  /** Which socket implementation is in use ("recvmmsg" or "node:dgram"), or null. */
  get socketKind(): string | null {
    return this.#socket?.kind ?? null;
  }

  /** Binds `at` (default `network.osc` of the running config); rejects with a clear error. */
  async start(at?: ResolvedListen): Promise<void> {
    if (this.#socket) return;
    const where = at ?? this.#api.config().network.osc;
    this.#asked = { host: where.host, port: where.port };
    try {
      this.#socket = await openUdp({
        host: where.host,
        port: where.port,
        onDatagram: (bytes, peer, truncated) => this.#receive(bytes, peer, truncated),
        onError: (message) => log.error("{message}", { message }),
      });
    } catch (error) {
      throw new Error(
        `Cannot listen for the OSC channel on ${where.host}:${where.port}/udp: ${
          error instanceof Error ? error.message : error
        }`,
        { cause: error },
      );
    }
    this.#bound = { host: where.host, port: this.#socket.port };
    log.debug("OSC channel listening on {host}:{port}/udp ({kind})", {
      ...this.#bound,
      kind: this.#socket.kind,
    });
  }

  /** Follows the config: binds on the first call, moves when `network.osc` changes. */
  async apply(config: ResolvedConfig): Promise<void> {
    const next = config.network.osc;
    if (!this.#socket) return await this.start(next);
    if (this.#asked?.host === next.host && this.#asked.port === next.port) return;
    await this.close();
    await this.start(next);
  }

  /** Closes the socket. */
  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = null;
    this.#bound = null;
    await socket?.close();
  }

  #receive(msg: Uint8Array, from: UdpPeer, truncated: boolean): void {
    this.#stats.received++;
    try {
      if (truncated) {
        return this.#reject("oversize", `datagram from ${from.host}:${from.port} is too long`);
      }
      const job = matchHeart(msg);
      if (job !== undefined) return this.#beat(job === HEART_NO_JOB ? null : job, from);
      if (isBareHeart(msg)) return this.#beat(null, from);
      const quick = quickOscRefusal(msg);
      if (quick !== null) {
        return this.#reject(
          quick,
          `${msg.length}-byte datagram from ${from.host}:${from.port}: ${quickOscMessage(quick)}`,
        );
      }
      let packet: OscPacket;
      try {
        packet = decodeOsc(msg);
      } catch (error) {
        if (!(error instanceof OscDecodeError)) throw error;
        return this.#reject(
          error.code,
          `${msg.length}-byte datagram from ${from.host}:${from.port}: ${error.message}`,
        );
      }
      this.#dispatch(packet, from);
    } catch (error) {
      this.#reject("internal", `datagram from ${from.host}:${from.port}: ${error}`);
    }
  }

  /** The fast path: no decode, no allocation unless refused. */
  #beat(job: string | null, from: UdpPeer): void {
    this.#stats.messages++;
    this.#heart.job = job;
    this.#hear(job);
    const reply = this.#handle(this.#heart, HEART_PEER);
    if (reply.type === "ok") this.#stats.heartbeats++;
    else this.#answer("/heart", reply, from);
  }

  #dispatch(packet: OscPacket, from: UdpPeer): void {
    if (packet.kind === "bundle") {
      for (const element of packet.elements) this.#dispatch(element, from);
      return;
    }
    this.#stats.messages++;
    try {
      const decoded = oscCommand(packet);
      if (!decoded.ok) {
        const refusal = { type: "refused", code: decoded.code, error: decoded.error } as const;
        return this.#answer(packet.address, refusal, from);
      }
      const address = { host: from.host, port: from.port };
      const peer: AppPeer = {
        channel: "osc",
        name: `${address.host}:${address.port}`,
        job: null,
        address,
        local: this.#bound,
      };
      const command = decoded.command;
      if ("job" in command) this.#hear(command.job);
      else if (command.type === "message") this.#hear(null);
      const reply = this.#handle(command, peer);
      if (reply.type === "ok" && command.type === "heartbeat") this.#stats.heartbeats++;
      this.#answer(packet.address, reply, from);
    } catch (error) {
      // One message of a bundle failing leaves the others served.
      this.#reject("internal", `${packet.address} from ${from.host}:${from.port}: ${error}`);
    }
  }

  /** Encodes a reply: answers go to the sender, `/config` to the apps' port, refusals to the counters. */
  #answer(address: string, reply: AppReply | RefusedInput, from: UdpPeer): void {
    switch (reply.type) {
      case "ok":
      case "relay": // No app connections to relay to on UDP; the handler emitted `app.message`.
        return;
      case "config": {
        const osc = this.#api.config().network.osc;
        this.#send(
          encodeOscMessage("/config", [JSON.stringify(reply.app)]),
          osc.appPort,
          osc.appHost,
        );
        return;
      }
      case "registered":
        this.#send(encodeOscMessage("/registered", [reply.app.id]), from.port, from.host);
        return;
      case "unregistered":
        if (!reply.ok) this.#answer(address, unknownApp(reply.id), from);
        return;
      case "refused":
        this.#reject(reply.code, `${address} from ${from.host}:${from.port}: ${reply.error}`);
        if (address === "/register") {
          this.#send(encodeOscMessage("/error", [address, reply.error]), from.port, from.host);
        }
        return;
      default: {
        const never: never = reply;
        throw new Error(`Unhandled reply ${JSON.stringify(never)}`);
      }
    }
  }

  #reject(code: string, detail: string): void {
    this.#rejections.report(code, detail);
  }

  #send(bytes: Uint8Array, toPort: number, toHost: string): void {
    this.#socket?.send(bytes, toPort, toHost);
  }
}

/** Input the codec itself refused (not an app command). */
type RefusedInput = { type: "refused"; code: string; error: string };
