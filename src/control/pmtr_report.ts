/**
 * pmtr's UDP status report (`network.report`): at start and every 10 s, one
 * datagram to each destination listing the jobs that restart, enabled or
 * disabled, how long each has run, its pid and program (format in
 * `pmtr_format.ts`). A destination `udp://239.x.y.z:port@eth0` sends
 * multicast out of that interface (its IPv4 address, as pmtr appends it to
 * the report's first line). Send failures are logged once until a send
 * succeeds again; they never stop the others.
 *
 * @module
 */

import dgram from "node:dgram";
import { getLogger } from "@logtape/logtape";
import type { ResolvedUdpAddress } from "../config/network_monitoring.ts";
import type { SupervisorApi } from "../core/api.ts";
import { reportDatagrams, type ReportLine } from "./pmtr_format.ts";

const log = getLogger(["sup", "pmtr"]);

/** pmtr's interval. */
export const REPORT_INTERVAL_MS = 10_000;

/** One destination and its socket. */
interface Destination {
  target: ResolvedUdpAddress;
  /** The report's id for it: the host name, and the interface's address after a space. */
  id: string;
  socket: dgram.Socket;
  /** A send failed and was logged; logged again only after a success. */
  failing: boolean;
}

/** Sends the report; `apply(targets)` follows the config, `close()` stops. */
export class PmtrReporter {
  #api: Pick<SupervisorApi, "config" | "jobStatus">;
  #intervalMs: number;
  #destinations = new Map<string, Destination>();
  #timer: ReturnType<typeof setInterval> | null = null;
  #soon: ReturnType<typeof setTimeout> | null = null;

  /** @param intervalMs between reports (tests shorten it) */
  constructor(api: Pick<SupervisorApi, "config" | "jobStatus">, intervalMs = REPORT_INTERVAL_MS) {
    this.#api = api;
    this.#intervalMs = intervalMs;
  }

  /** Sends to `targets` from now on (a report at once when they change), none when empty. */
  apply(targets: readonly ResolvedUdpAddress[]): void {
    const wanted = new Map(targets.map((t) => [t.url, t]));
    let changed = false;
    for (const [url, destination] of this.#destinations) {
      if (wanted.has(url)) continue;
      destination.socket.close();
      this.#destinations.delete(url);
    }
    for (const [url, target] of wanted) {
      if (this.#destinations.has(url)) continue;
      const destination = this.#open(target);
      if (destination) this.#destinations.set(url, destination);
      changed = true;
    }
    if (this.#destinations.size === 0) return this.#stopTimer();
    if (this.#timer === null) {
      this.#timer = setInterval(() => this.send(), this.#intervalMs);
      changed = true;
    }
    if (changed) this.send();
  }

  /** Sends a report within a second (after an enable or disable, as pmtr does). */
  soon(): void {
    if (this.#soon !== null || this.#destinations.size === 0) return;
    this.#soon = setTimeout(() => {
      this.#soon = null;
      this.send();
    }, 1000);
  }

  /** The report's lines now. */
  lines(now = Date.now()): ReportLine[] {
    return this.#api.config().jobs.flatMap((job) => {
      if (job.once || job.wait) return []; // pmtr does not advertise one-time jobs
      const status = this.#api.jobStatus(job.name);
      if (!status) return [];
      const live = status.pid !== null && status.startedAt !== null;
      return [{
        name: job.name,
        disabled: status.disabled,
        elapsedSeconds: live ? (now - status.startedAt!) / 1000 : 0,
        pid: live ? status.pid! : 0,
        command: job.argv[0] ?? "",
      }];
    });
  }

  /** Sends one report to every destination now. */
  send(): void {
    if (this.#destinations.size === 0) return;
    const lines = this.lines();
    for (const destination of this.#destinations.values()) {
      for (const text of reportDatagrams(destination.id, lines)) {
        const { host, port, url } = destination.target;
        destination.socket.send(text, port, host, (error) => {
          if (!error) {
            destination.failing = false;
            return;
          }
          if (destination.failing) return;
          destination.failing = true;
          log.warn(`Cannot send the pmtr report to ${url}: ${error.message}`);
        });
      }
    }
  }

  /** Stops reporting and closes the sockets. */
  close(): void {
    this.#stopTimer();
    for (const destination of this.#destinations.values()) destination.socket.close();
    this.#destinations.clear();
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    if (this.#soon !== null) clearTimeout(this.#soon);
    this.#timer = this.#soon = null;
  }

  /** A socket for `target`; null (logged) when its interface has no IPv4 address here. */
  #open(target: ResolvedUdpAddress): Destination | null {
    let id = Deno.hostname();
    let ifaceAddress: string | null = null;
    if (target.iface !== null) {
      ifaceAddress = interfaceAddress(target.iface);
      if (ifaceAddress === null) {
        log.error(
          `network.report: interface "${target.iface}" has no IPv4 address on this machine; ` +
            `no report goes to ${target.url}`,
        );
        return null;
      }
      id = `${id} ${ifaceAddress}`;
    }
    const socket = dgram.createSocket(target.host.includes(":") ? "udp6" : "udp4");
    const destination: Destination = { target, id, socket, failing: false };
    socket.on("error", (error) => {
      log.warn(`pmtr report socket for ${target.url}: ${error.message}`);
    });
    if (ifaceAddress !== null) {
      const address = ifaceAddress;
      socket.bind(0, () => {
        try {
          socket.setMulticastInterface(address);
          socket.setMulticastLoopback(true);
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error);
          log.error(
            `network.report: cannot send multicast out of "${target.iface}" (${address}): ${why}`,
          );
        }
      });
    }
    return destination;
  }
}

/** The first IPv4 address of network interface `name`, or null. */
export function interfaceAddress(name: string): string | null {
  try {
    const found = Deno.networkInterfaces().find((i) => i.name === name && i.family === "IPv4");
    return found?.address ?? null;
  } catch {
    return null;
  }
}
