/**
 * The OSC channel: a UDP socket (`udp_socket.ts`) on `network.osc` receiving
 * OSC 1.0 messages and bundles from apps. Heartbeats take a fast path that
 * skips the decoder; everything malformed is counted by reason, reported at
 * a bounded rate, and dropped. Nothing a datagram holds can throw out of the
 * socket handler.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { ResolvedConfig, ResolvedListen, ResolvedNetwork } from "../config/resolved.ts";
import type { AppChannelContext } from "../apps/app_context.ts";
import { decodeOsc, OscDecodeError, type OscPacket } from "./osc_codec.ts";
import { dispatchOsc, heart, type OscPeer, type OscSink } from "./osc_dispatch.ts";
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

/** Receives OSC from apps; `start`, `apply(config)`, `close`. */
export class OscChannel {
  #ctx: AppChannelContext;
  #socket: UdpSocket | null = null;
  #bound: ResolvedListen | null = null;
  #asked: ResolvedListen | null = null;
  #rejections: RejectionLog;
  #stats = { received: 0, messages: 0, heartbeats: 0 };
  #sink: OscSink;

  /** @param ctx heartbeats, apps, jobs and the event bus */
  constructor(ctx: AppChannelContext, options: OscChannelOptions = {}) {
    this.#ctx = ctx;
    this.#rejections = new RejectionLog("osc", ctx.api.bus, options.reportIntervalMs ?? 5000);
    this.#sink = {
      heartbeat: () => void this.#stats.heartbeats++,
      reject: (code, detail) => this.#rejections.report(code, detail),
    };
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

  /** Which socket implementation is in use ("recvmmsg" or "node:dgram"), or null. */
  get socketKind(): string | null {
    return this.#socket?.kind ?? null;
  }

  /** Binds `at` (default `network.osc` of the running config); rejects with a clear error. */
  async start(at?: ResolvedListen): Promise<void> {
    if (this.#socket) return;
    const where = at ?? this.#ctx.api.config().network.osc;
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
    log.info("OSC channel listening on {host}:{port}/udp ({kind})", {
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
        return this.#sink.reject("oversize", `datagram from ${from.host}:${from.port} is too long`);
      }
      const job = matchHeart(msg);
      if (job !== undefined) {
        this.#stats.messages++;
        return heart(this.#ctx, job === HEART_NO_JOB ? null : job, this.#sink);
      }
      if (isBareHeart(msg)) {
        this.#stats.messages++;
        return heart(this.#ctx, null, this.#sink);
      }
      let packet: OscPacket;
      try {
        packet = decodeOsc(msg);
      } catch (error) {
        if (!(error instanceof OscDecodeError)) throw error;
        return this.#sink.reject(
          error.code,
          `${msg.length}-byte datagram from ${from.host}:${from.port}: ${error.message}`,
        );
      }
      this.#dispatch(packet, this.#peer(from.host, from.port));
    } catch (error) {
      this.#sink.reject("internal", `datagram from ${from.host}:${from.port}: ${error}`);
    }
  }

  #dispatch(packet: OscPacket, peer: OscPeer): void {
    if (packet.kind === "bundle") {
      for (const element of packet.elements) this.#dispatch(element, peer);
      return;
    }
    this.#stats.messages++;
    try {
      dispatchOsc(this.#ctx, packet, peer, this.#sink);
    } catch (error) {
      this.#sink.reject("internal", `${packet.address} from ${peer.name}: ${error}`);
    }
  }

  #peer(host: string, port: number): OscPeer {
    const send = (bytes: Uint8Array, toPort: number, toHost: string) =>
      this.#socket?.send(bytes, toPort, toHost);
    return {
      name: `${host}:${port}`,
      reply: (bytes) => send(bytes, port, host),
      toApps: (bytes) => {
        const osc: ResolvedNetwork["osc"] = this.#ctx.api.config().network.osc;
        send(bytes, osc.appPort, osc.appHost);
      },
    };
  }
}
