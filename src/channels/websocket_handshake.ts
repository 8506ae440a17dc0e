/**
 * The HTTP side of a WebSocket handshake on a raw TCP stream: read the
 * request head (bounded in bytes and time), parse it, answer a refusal as
 * JSON. Used by `websocket_server.ts`.
 *
 * @module
 */

const MAX_HEAD_BYTES = 8 * 1024;
const HEAD_TIMEOUT_MS = 10_000;

/** The upgrade request as read from the wire. */
export interface UpgradeRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: Headers;
  remote: Deno.NetAddr;
  local: Deno.NetAddr;
}

/** Reads up to the blank line ending the request head; null on timeout, EOF or an oversized head. */
export async function readHead(
  conn: Deno.Conn,
): Promise<{ text: string; rest: Uint8Array } | null> {
  const buffer = new Uint8Array(MAX_HEAD_BYTES);
  let length = 0;
  const timer = setTimeout(() => closeQuietly(conn), HEAD_TIMEOUT_MS);
  try {
    while (length < buffer.length) {
      const n = await conn.read(buffer.subarray(length));
      if (n === null) return null;
      const from = Math.max(0, length - 3);
      length += n;
      for (let i = from; i + 3 < length; i++) {
        if (
          buffer[i] === 13 && buffer[i + 1] === 10 && buffer[i + 2] === 13 && buffer[i + 3] === 10
        ) {
          const text = new TextDecoder().decode(buffer.subarray(0, i));
          return { text, rest: buffer.slice(i + 4, length) };
        }
      }
    }
    await respond(conn, 431, `Request head is over ${MAX_HEAD_BYTES} bytes`);
    return null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** The request line and headers, or null when malformed. */
export function parseHead(text: string, conn: Deno.Conn): UpgradeRequest | null {
  const [line, ...fields] = text.split("\r\n");
  const match = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(line);
  if (!match) return null;
  const headers = new Headers();
  for (const field of fields) {
    const colon = field.indexOf(":");
    if (colon <= 0) return null;
    try {
      headers.append(field.slice(0, colon).trim(), field.slice(colon + 1).trim());
    } catch {
      return null;
    }
  }
  let url: URL;
  try {
    url = new URL(match[2], "http://target.invalid");
  } catch {
    return null;
  }
  return {
    method: match[1],
    path: url.pathname,
    query: url.searchParams,
    headers,
    remote: conn.remoteAddr as Deno.NetAddr,
    local: conn.localAddr as Deno.NetAddr,
  };
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  421: "Misdirected Request",
  426: "Upgrade Required",
  431: "Request Header Fields Too Large",
  503: "Service Unavailable",
};

/** Writes a JSON `{error}` response and leaves the connection to be closed. */
export async function respond(
  conn: Deno.Conn,
  status: number,
  error: string,
  headers: Record<string, string> = {},
): Promise<void> {
  const body = JSON.stringify({ error });
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  const head = `HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${
      new TextEncoder().encode(body).length
    }\r\n` +
    `Connection: close\r\n${extra}\r\n`;
  await writeAll(conn, head + body).catch(() => {});
}

/** Writes all of `text`. */
export async function writeAll(conn: Deno.Conn, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

/** Closes `conn`, ignoring "already closed". */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}
