/**
 * pmtr's UDP control port (`network.control`, off by default): datagrams
 * `enable <job>...` / `disable <job>...` (a name, `group:<name>` or `*`)
 * enable or disable jobs through `SupervisorApi.setEnabled`, the mechanism
 * `sup enable|disable` uses, without persisting: the effect lasts until the
 * job's config changes or sup restarts, as pmtr's does. Every command is
 * logged with its sender. Garbage (not text, no verb, a verb naming no job,
 * over 2000 bytes) and unknown jobs are dropped and counted by reason
 * (`/metrics`: `sup_channel_rejected_total{channel="control"}`), and logged
 * at most once per reason every 5 s.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { ResolvedUdpAddress } from "../config/network_monitoring.ts";
import { selectJobs, selectorProblem } from "../config/selector.ts";
import type { SupervisorApi } from "../core/api.ts";
import { openUdp, type UdpPeer, type UdpSocket } from "../net/udp_socket.ts";
import { parseControl } from "./pmtr_format.ts";
import type { ControlStats } from "./pmtr_stats.ts";

const log = getLogger(["sup", "pmtr"]);

/** Shortest time between two log lines about one refusal reason. */
const REFUSAL_LOG_MS = 5000;
/** Commands logged per second at most; the rest are counted in the next line. */
const COMMAND_LOGS_PER_SECOND = 20;

/** Receives control datagrams; `apply(address)` follows the config, `close()` stops. */
export class PmtrControl {
  #api: Pick<SupervisorApi, "config" | "setEnabled">;
  #stats: ControlStats;
  #onChange: () => void;
  #socket: UdpSocket | null = null;
  #bound: ResolvedUdpAddress | null = null;
  #lastRefusalLog = new Map<string, { at: number; count: number }>();
  #logWindow = { second: 0, logged: 0, skipped: 0 };

  /**
   * @param api where commands go
   * @param stats the counters to keep (shared with `/metrics`)
   * @param onChange called after a datagram changed something (the reporter reports soon)
   */
  constructor(
    api: Pick<SupervisorApi, "config" | "setEnabled">,
    stats: ControlStats,
    onChange: () => void = () => {},
  ) {
    this.#api = api;
    this.#stats = stats;
    this.#onChange = onChange;
  }

  /** The address bound, or null. */
  get addr(): ResolvedUdpAddress | null {
    return this.#bound;
  }

  /**
   * Listens on `address` (null: not at all). A new address is bound before
   * the old one is let go; when it cannot be bound the old one stays (logged).
   */
  async apply(address: ResolvedUdpAddress | null): Promise<void> {
    if (address?.host === this.#bound?.host && address?.port === this.#bound?.port) return;
    if (address === null) return await this.close();
    let socket: UdpSocket;
    try {
      socket = await this.#open(address);
    } catch (error) {
      if (this.#bound?.port !== address.port) return this.#cannotBind(address, error);
      await this.close(); // the same port on another host: let go of it first
      try {
        socket = await this.#open(address);
      } catch (again) {
        return this.#cannotBind(address, again);
      }
    }
    await this.#socket?.close();
    this.#socket = socket;
    this.#bound = address;
    log.info(`pmtr control listening on ${address.url} (network.control)`);
  }

  /** Stops listening. */
  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = this.#bound = null;
    await socket?.close();
  }

  #open(address: ResolvedUdpAddress): Promise<UdpSocket> {
    return openUdp({
      host: address.host,
      port: address.port,
      onDatagram: (bytes, peer, truncated) => this.#datagram(bytes, peer, truncated),
      onError: (message) => log.warn(`pmtr control: ${message}`),
    });
  }

  #cannotBind(address: ResolvedUdpAddress, error: unknown): void {
    const why = error instanceof Error ? error.message : String(error);
    const kept = this.#bound ? `; still listening on ${this.#bound.url}` : "";
    log.error(`network.control: cannot listen on ${address.url}: ${why}${kept}`);
  }

  /** Handles one datagram; never throws (what a client sends never breaks sup). */
  #datagram(bytes: Uint8Array, peer: UdpPeer, truncated: boolean): void {
    this.#stats.received++;
    const sender = peer.host.includes(":")
      ? `[${peer.host}]:${peer.port}`
      : `${peer.host}:${peer.port}`;
    const parsed = parseControl(bytes, truncated);
    if (!parsed.ok) return this.#refuse(parsed.refusal.code, parsed.refusal.detail, sender);
    const jobs = this.#api.config().jobs;
    const done: string[] = [];
    for (const { verb, target } of parsed.commands) {
      const problem = selectorProblem(target, jobs);
      if (problem !== null) {
        this.#refuse("unknown-job", `${verb} ${problem}`, sender);
        continue;
      }
      for (const job of selectJobs([target], jobs)) {
        const by = `UDP control from ${sender}`;
        this.#stats.commands++;
        done.push(`${verb} ${job}`);
        this.#api.setEnabled(job, verb === "enable", { by, persist: false }).catch(
          (error) => log.error(`pmtr control: ${verb} ${job} failed: ${error}`),
        );
      }
    }
    if (done.length === 0) return;
    this.#logCommand(sender, done.join(", "));
    this.#onChange();
  }

  #logCommand(sender: string, what: string): void {
    const second = Math.floor(Date.now() / 1000);
    const window = this.#logWindow;
    if (window.second !== second) {
      if (window.skipped > 0) {
        log.info(`pmtr control: ${window.skipped} more commands were not logged`);
      }
      Object.assign(window, { second, logged: 0, skipped: 0 });
    }
    if (window.logged >= COMMAND_LOGS_PER_SECOND) {
      window.skipped++;
      return;
    }
    window.logged++;
    log.info(`pmtr control from ${sender}: ${what}`);
  }

  #refuse(code: string, detail: string, sender: string): void {
    this.#stats.rejectedBy[code] = (this.#stats.rejectedBy[code] ?? 0) + 1;
    const now = Date.now();
    const last = this.#lastRefusalLog.get(code);
    if (last && now - last.at < REFUSAL_LOG_MS) {
      last.count++;
      return;
    }
    const more = last && last.count > 0 ? ` (and ${last.count} more since the last report)` : "";
    this.#lastRefusalLog.set(code, { at: now, count: 0 });
    log.warn(`pmtr control: refused what ${sender} sent, ${code}: ${detail}${more}`);
  }
}
