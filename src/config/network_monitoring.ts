/**
 * Reads the monitoring options of `network`: `http.metrics` (who may read
 * `/metrics` and `/healthz`), `report` and `control` (pmtr's UDP status
 * report and control), and their resolved forms. `sections.ts` calls these
 * from `readNetwork`.
 *
 * @module
 */

import { joinPath } from "./config_error.ts";
import { describe, type Fields } from "./fields.ts";
import type { MetricsAccess } from "./types_monitoring.ts";

import type { ResolvedPmtrNetwork, ResolvedUdpAddress } from "./monitoring_resolved.ts";
export type { ResolvedPmtrNetwork, ResolvedUdpAddress } from "./monitoring_resolved.ts";

/** The choices of `network.http.metrics`. */
export const METRICS_ACCESS: readonly MetricsAccess[] = ["open", "token"];

/** Longest interface name Linux takes (IFNAMSIZ - 1). */
const MAX_IFACE = 15;

const UDP_ADDRESS = /^udp:\/\/(\[[0-9A-Fa-f:.]+\]|[^\s:@/\[\]]+):(\d{1,5})(?:@([^\s@/:]+))?$/;

/** True for an IPv4 multicast address (224.0.0.0/4). */
export function isIpv4Multicast(host: string): boolean {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    return false;
  }
  const first = Number(parts[0]);
  return first >= 224 && first <= 239;
}

/**
 * Parses `udp://host:port[@iface]`: the address, or why it is not one. An
 * interface is taken only where `iface` allows it, and only after an IPv4
 * multicast address.
 */
export function parseUdpAddress(
  text: unknown,
  iface: boolean,
): { ok: true; value: ResolvedUdpAddress } | { ok: false; error: string } {
  const example = iface
    ? '"udp://127.0.0.1:9999", or "udp://239.0.0.1:9999@eth0" for multicast'
    : '"udp://127.0.0.1:10000"';
  const wrong = (why: string) => ({ ok: false as const, error: why });
  if (typeof text !== "string") {
    return wrong(`must be a UDP address (e.g. ${example}) or false, got ${describe(text)}`);
  }
  const match = UDP_ADDRESS.exec(text);
  if (!match) {
    return wrong(`${JSON.stringify(text)} is not a UDP address (expected e.g. ${example})`);
  }
  const [, rawHost, rawPort, name] = match;
  const host = rawHost.startsWith("[") ? rawHost.slice(1, -1) : rawHost;
  const port = Number(rawPort);
  if (port < 1 || port > 65535) {
    return wrong(`${JSON.stringify(text)}: port ${rawPort} is not a port number 1-65535`);
  }
  if (name !== undefined) {
    if (!iface) {
      return wrong(
        `${JSON.stringify(text)}: an interface (@${name}) applies to network.report only`,
      );
    }
    if (!isIpv4Multicast(host)) {
      return wrong(
        `${JSON.stringify(text)}: an interface (@${name}) applies to an IPv4 multicast ` +
          `address only (224.0.0.0-239.255.255.255)`,
      );
    }
    if (name.length > MAX_IFACE) {
      return wrong(
        `${
          JSON.stringify(text)
        }: "${name}" is not an interface name (at most ${MAX_IFACE} characters)`,
      );
    }
  }
  return { ok: true, value: { host, port, iface: name ?? null, url: text } };
}

/** `network.report` and `network.control` (`f` is `network`, null when it is unset). */
export function readPmtrNetwork(f: Fields | null): ResolvedPmtrNetwork {
  if (!f) return { report: [], control: null };
  const report: ResolvedUdpAddress[] = [];
  const raw = f.obj.report;
  if (raw !== undefined && raw !== false) {
    const list = Array.isArray(raw) ? raw : [raw];
    list.forEach((item, i) => {
      const parsed = parseUdpAddress(item, true);
      if (parsed.ok) report.push(parsed.value);
      else {f.issues.add(
          Array.isArray(raw) ? joinPath(f.at("report"), i) : f.at("report"),
          parsed.error,
        );}
    });
  }
  let control: ResolvedUdpAddress | null = null;
  if (f.obj.control !== undefined && f.obj.control !== false) {
    const parsed = parseUdpAddress(f.obj.control, false);
    if (parsed.ok) control = parsed.value;
    else f.fail("control", parsed.error);
  }
  return { report, control };
}

/** `network.http.metrics` (`f` is `network.http`, null when it is unset). */
export function readMetricsAccess(f: Fields | null): MetricsAccess {
  return f?.oneOf("metrics", METRICS_ACCESS, "open", "who may read /metrics and /healthz") ??
    "open";
}

/** Lines for `sup check` (under "network"): what differs from the defaults (open, no report, no control). */
export function monitoringLines(
  network: ResolvedPmtrNetwork & { http: { metrics: MetricsAccess } },
): string[] {
  const lines: string[] = [];
  if (network.http.metrics === "token") {
    lines.push("  metrics    /metrics and /healthz need the operator token");
  }
  if (network.report.length > 0) {
    lines.push(`  report     ${network.report.map((r) => r.url).join(", ")} (pmtr, every 10s)`);
  }
  if (network.control) lines.push(`  control    ${network.control.url} (pmtr enable/disable)`);
  return lines;
}
