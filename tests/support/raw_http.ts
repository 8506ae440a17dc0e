/**
 * One raw HTTP/1.1 request over TCP, headers exactly as given (a forged
 * `Host`, a WebSocket upgrade), and its status line and body. Bounded.
 *
 * @module
 */

/** The answer: status code, headers (lower-cased names) and body. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends `GET path` (or `method`) with `headers` to 127.0.0.1:`port` and reads the answer until the server closes or `timeoutMs`. */
export async function rawRequest(
  port: number,
  path: string,
  headers: Record<string, string>,
  method = "GET",
  timeoutMs = 5000,
): Promise<RawAnswer> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    const request = `${method} ${path} HTTP/1.1\r\n${lines}Connection: close\r\n\r\n`;
    await conn.write(new TextEncoder().encode(request));
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(16 * 1024);
    while (true) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
      const text = new TextDecoder().decode(concat(chunks));
      const end = text.indexOf("\r\n\r\n");
      const length = /content-length: (\d+)/i.exec(text);
      if (end >= 0 && length && text.length >= end + 4 + Number(length[1])) break;
      if (end >= 0 && / 101 /.test(text.slice(0, 20))) break;
    }
    const text = new TextDecoder().decode(concat(chunks));
    const end = text.indexOf("\r\n\r\n");
    const [statusLine, ...fields] = text.slice(0, end < 0 ? text.length : end).split("\r\n");
    const out: Record<string, string> = {};
    for (const field of fields) {
      const colon = field.indexOf(":");
      out[field.slice(0, colon).trim().toLowerCase()] = field.slice(colon + 1).trim();
    }
    return {
      status: Number(statusLine.split(" ")[1] ?? 0),
      headers: out,
      body: end < 0 ? "" : text.slice(end + 4),
    };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // Closed by the timer.
    }
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
