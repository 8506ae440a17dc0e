/**
 * What one WebSocket client can make a real `sup run` hold: a 500 MB stream
 * of non-final fragments, clients that never read while sup relays a
 * broadcast, more connections than `maxConnections`. sup's RSS is read from
 * /proc while it happens.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { startSupProcess } from "./support/sup_run.ts";
import { operatorHeaders } from "./support/operator_token.ts";
import { rawRequest } from "./support/raw_http.ts";
import { openSocket } from "./support/ws.ts";
import { until } from "../src/testing/wait.ts";

/** Peak and current resident memory of `pid`, in bytes. */
function memory(pid: number): { hwm: number; rss: number } {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)![1]) * 1024;
  return { hwm: kb("VmHWM"), rss: kb("VmRSS") };
}

/** A raw upgraded connection that reads only when asked. */
async function rawSocket(port: number, path: string): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const head = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
    `Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
  await conn.write(new TextEncoder().encode(head));
  const buffer = new Uint8Array(1024);
  let text = "";
  while (!text.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error(`Closed during the handshake: ${text}`);
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
  if (!text.startsWith("HTTP/1.1 101")) throw new Error(`Not upgraded: ${text}`);
  return conn;
}

/** A masked (with a zero key, so the payload is sent as is) frame header. */
function frameHead(opcode: number, fin: boolean, length: number): Uint8Array {
  const head = new Uint8Array(14);
  head[0] = (fin ? 0x80 : 0) | opcode;
  head[1] = 0x80 | 127;
  new DataView(head.buffer).setUint32(6, length);
  return head; // bytes 10-13: the zero mask key
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

const config = (websocket: Record<string, unknown> = {}) => () => ({
  network: { websocket },
  jobs: { kiosk: { cmd: "sleep 300" } },
});

Deno.test("500 MB of non-final fragments do not grow sup: the message is dropped as it arrives", async () => {
  await using sup = await startSupProcess(config());
  const conn = await rawSocket(sup.ports.websocket, "/app?job=kiosk");
  try {
    const before = memory(sup.child.pid);
    const chunk = new Uint8Array(1024 * 1024).fill(0x61);
    await writeAll(conn, frameHead(1, false, chunk.length));
    await writeAll(conn, chunk);
    for (let i = 1; i < 500; i++) {
      await writeAll(conn, frameHead(0, false, chunk.length));
      await writeAll(conn, chunk);
    }
    await writeAll(conn, frameHead(0, true, 0));
    // sup answers with an error frame naming the limit, and the connection stays.
    const buffer = new Uint8Array(4096);
    let answer = "";
    await until(
      async () => {
        const n = await conn.read(buffer);
        answer += new TextDecoder().decode(buffer.subarray(0, n ?? 0));
        return answer.includes("maxMessageSize");
      },
      "the oversized error frame",
      30_000,
    );
    ok(answer.includes(`Message of ${500 * 1024 * 1024} bytes`), answer);
    const after = memory(sup.child.pid);
    const grew = after.hwm - before.hwm;
    ok(grew < 20 * 1024 * 1024, `sup's peak RSS grew by ${(grew / 1048576).toFixed(1)} MB`);
  } finally {
    conn.close();
  }
});

Deno.test("clients that never read are dropped while sup relays a broadcast; readers get every message", async () => {
  await using sup = await startSupProcess(config());
  const headers = await operatorHeaders(`${sup.dir}/runtime`);
  const quiet: Deno.TcpConn[] = [];
  for (let i = 0; i < 20; i++) quiet.push(await rawSocket(sup.ports.websocket, "/app"));
  await using reader = await openSocket(`ws://127.0.0.1:${sup.ports.websocket}/app`);
  await using sender = await openSocket(`ws://127.0.0.1:${sup.ports.websocket}/app?job=kiosk`);
  try {
    const before = memory(sup.child.pid);
    const data = "x".repeat(60 * 1024);
    // 300 messages of 60 KB, in bursts of 10 (600 KB, within a reader's queue) the reader takes in.
    const count = 300;
    for (let i = 0; i < count; i += 10) {
      for (let j = 0; j < 10; j++) {
        sender.ws.send(JSON.stringify({ type: "message", to: "*", data }));
      }
      await until(
        () => reader.received.filter((f) => f.type === "message").length === i + 10,
        `the reader's messages ${i + 1}-${i + 10}`,
        10_000,
      );
    }
    await until(
      async () => {
        const stats = await (await fetch(`${sup.api}/api/channels`, { headers })).json();
        return stats.websocket.droppedSlow === 20;
      },
      "the 20 clients that never read dropped",
      10_000,
    );
    type Stats = { websocket: { droppedSlow: number; connections: number; rejectedBy: object } };
    const stats = await (await fetch(`${sup.api}/api/channels`, { headers })).json() as Stats;
    equal(stats.websocket.droppedSlow, 20, JSON.stringify(stats));
    equal(stats.websocket.connections, 2);
    await sup.waitForLog(["slow", "network.websocket.maxQueuedBytes"], "the drop logged");
    const grew = memory(sup.child.pid).hwm - before.hwm;
    ok(grew < 40 * 1024 * 1024, `sup's peak RSS grew by ${(grew / 1048576).toFixed(1)} MB`);
  } finally {
    for (const conn of quiet) conn.close();
  }
});

Deno.test("connections past network.websocket.maxConnections are refused with 503 naming the setting", async () => {
  await using sup = await startSupProcess(config({ maxConnections: 3 }));
  const open = [];
  for (let i = 0; i < 3; i++) open.push(await rawSocket(sup.ports.websocket, "/app"));
  try {
    const refused = await rawRequest(sup.ports.websocket, "/app", {
      Host: "127.0.0.1",
      Upgrade: "websocket",
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    });
    deepStrictEqual(refused.status, 503);
    ok(refused.body.includes("network.websocket.maxConnections"), refused.body);
    await sup.waitForLog(["full", "maxConnections"], "the refusal logged");
  } finally {
    for (const conn of open) conn.close();
  }
  // Once they are gone, a new connection is served.
  await until(async () => {
    try {
      (await rawSocket(sup.ports.websocket, "/app")).close();
      return true;
    } catch {
      return false;
    }
  }, "a connection after the others closed");
});
