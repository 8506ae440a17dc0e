/**
 * `network.report` and `network.control` resolved (types only, so the
 * types module `sup types` writes can embed them).
 *
 * @module
 */

/** A UDP address (`udp://host:port[@iface]`) resolved. */
export interface ResolvedUdpAddress {
  /** Host name or IP address, without brackets. */
  host: string;
  port: number;
  /** Interface multicast datagrams leave from (`@eth0`), or null. */
  iface: string | null;
  /** As the config wrote it, for messages. */
  url: string;
}

/** `network.report` and `network.control` resolved. */
export interface ResolvedPmtrNetwork {
  /** Where the status report goes every 10 s; [] for nowhere. */
  report: ResolvedUdpAddress[];
  /** Where control datagrams are received, or null (off). */
  control: ResolvedUdpAddress | null;
}
