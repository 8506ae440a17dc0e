/**
 * The options of sup's monitoring endpoints a user writes: who may read
 * `GET /metrics` and `GET /healthz` (`network.http.metrics`), and pmtr's
 * UDP status report and control (`network.report`, `network.control`).
 * `types.ts` builds `HttpConfig` and `NetworkConfig` from these.
 *
 * @module
 */

/** Who may read `GET /metrics` and `GET /healthz` on the HTTP API. */
export type MetricsAccess = "open" | "token";

/**
 * A UDP address in pmtr's form, `udp://host:port`; after an IPv4 multicast
 * address, `@<interface>` names the network interface the datagrams leave
 * from (pmtr's `report to udp://239.0.0.1:9999@eth2`).
 * @example "udp://127.0.0.1:9999" | "udp://239.0.0.1:9999@eth0"
 */
export type UdpAddress = `udp://${string}`;

/** `network.http` settings of the metrics and health endpoints. */
export interface MetricsHttpConfig {
  /**
   * Who may read `GET /metrics` (Prometheus text format) and `GET /healthz`:
   * "open" to whoever reaches the HTTP API, so Prometheus and load balancers
   * read them without a token; "token" only with the operator token, like the
   * operator routes.
   * @default "open"
   */
  metrics?: MetricsAccess;
}

/** pmtr's UDP status report and UDP control (pmtr's `report to` and `listen on`). */
export interface PmtrNetworkConfig {
  /**
   * Where sup sends pmtr's status report every 10 s: one datagram (`report
   * <hostname>`, then a line `<job> <e|d> <seconds running> <pid> <command>`
   * per job that restarts, `once`/`wait` jobs left out). A list sends to each;
   * false sends none.
   * @default false
   * @example "udp://127.0.0.1:9999" | ["udp://239.0.0.1:9999@eth0"]
   */
  report?: UdpAddress | UdpAddress[] | false;
  /**
   * Where sup receives pmtr's control datagrams, `enable <job>...` and
   * `disable <job>...` (a job name, `group:<name>` or `*`): a disabled job is
   * stopped and not started again until enabled, until its config changes or
   * sup restarts. Anyone who can send a datagram to this address can stop
   * jobs: keep it on 127.0.0.1. false receives none.
   * @default false
   * @example "udp://127.0.0.1:10000"
   */
  control?: UdpAddress | false;
}
