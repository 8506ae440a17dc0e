/**
 * IP address literals to and from bytes (for the libc UDP socket's socket
 * addresses, `udp_layout.ts`). Pure.
 *
 * @module
 */

/** The 4 bytes of a dotted IPv4 literal, or null. */
export function ip4Bytes(host: string): Uint8Array | null {
  const parts = host.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i]) || Number(parts[i]) > 255) return null;
    out[i] = Number(parts[i]);
  }
  return out;
}

/** The 16 bytes of an IPv6 literal (with `::`, without zone or embedded IPv4), or null. */
export function ip6Bytes(host: string): Uint8Array | null {
  const text = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (!text.includes(":") || text.split("::").length > 2) return null;
  const [head, tail] = text.includes("::") ? text.split("::") : [text, null];
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const a = groups(head);
  const b = tail === null ? [] : groups(tail);
  const missing = 8 - a.length - b.length;
  if (tail === null ? missing !== 0 : missing < 1) return null;
  const all = [...a, ...Array(tail === null ? 0 : missing).fill("0"), ...b];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(all[i])) return null;
    const v = parseInt(all[i], 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  }
  return out;
}

/** The 4 address bytes at `at` of `bytes` as a dotted IPv4 literal. */
export function ip4Text(bytes: Uint8Array, at = 0): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

/** The 16 address bytes at `at` of `bytes` as an IPv6 literal (uncompressed, no zeros dropped). */
export function ip6Text(bytes: Uint8Array, at = 0): string {
  const groups: string[] = [];
  for (let i = 0; i < 8; i++) {
    groups.push(((bytes[at + 2 * i] << 8) | bytes[at + 2 * i + 1]).toString(16));
  }
  return groups.join(":");
}
