import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { parseUdpAddress, type ResolvedUdpAddress } from "../config/network_monitoring.ts";
import { withLogRecords } from "../testing/log_capture.ts";
import { RecordingApi } from "../testing/recording_api.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { until } from "../testing/wait.ts";
import { PmtrControl } from "./pmtr_control.ts";
import { newControlStats } from "./pmtr_stats.ts";

/** A free UDP port on 127.0.0.1 (bound and released). */
async function freePort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

function udp(port: number): ResolvedUdpAddress {
  const parsed = parseUdpAddress(`udp://127.0.0.1:${port}`, false);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

async function client(): Promise<
  { socket: Socket; send(text: string, port: number): Promise<void> }
> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    socket,
    send: (text, port) =>
      new Promise((resolve, reject) =>
        socket.send(text, port, "127.0.0.1", (e) => e ? reject(e) : resolve())
      ),
  };
}

function setup() {
  const api = new RecordingApi(resolvedConfig([
    resolvedJob("web", ["x"], { groups: ["front"] }),
    resolvedJob("api", ["y"], { groups: ["front"] }),
    resolvedJob("db", ["z"]),
  ]));
  const stats = newControlStats();
  let changes = 0;
  const control = new PmtrControl(api, stats, () => changes++);
  return { api, stats, control, changes: () => changes };
}

Deno.test("commands reach setEnabled with the sender in the reason; selectors expand; unknown jobs are counted", async () => {
  const { api, stats, control, changes } = setup();
  const port = await freePort();
  const c = await client();
  try {
    await control.apply(udp(port));
    await c.send("disable group:front enable db", port);
    await c.send("enable nope web", port);
    await until(() => stats.received === 2 && api.actions.length === 4, "both datagrams handled");
    const from = `127.0.0.1:${c.socket.address().port}`;
    deepStrictEqual(api.actions.map((a) => [a.job, a.method, a.by]), [
      ["web", "disable", `UDP control from ${from}`],
      ["api", "disable", `UDP control from ${from}`],
      ["db", "enable", `UDP control from ${from}`],
      ["web", "enable", `UDP control from ${from}`],
    ]);
    equal(stats.commands, 4);
    deepStrictEqual(stats.rejectedBy, { "unknown-job": 1 });
    equal(changes(), 2, "the reporter is told after each datagram that changed something");
  } finally {
    await control.close();
    c.socket.close();
  }
});

Deno.test("a new address that cannot be bound is logged and the old one stays; null stops listening", async () => {
  await withLogRecords(async (records) => {
    const { api, stats, control } = setup();
    const first = await freePort();
    const taken = createSocket("udp4");
    await new Promise<void>((resolve) => taken.bind(0, "127.0.0.1", resolve));
    const c = await client();
    try {
      await control.apply(udp(first));
      await control.apply(udp(taken.address().port));
      equal(control.addr?.port, first, "still on the first address");
      const error = records.find((r) => r.level === "error");
      ok(String(error?.message.join("")).includes(`still listening on udp://127.0.0.1:${first}`));
      await c.send("disable db", first);
      await until(() => api.actions.length === 1, "a command on the old address");

      await control.apply(null);
      equal(control.addr, null);
      await c.send("disable web", first);
      await new Promise((r) => setTimeout(r, 200));
      equal(stats.received, 1, "nothing is received once off");
    } finally {
      await control.close();
      taken.close();
      c.socket.close();
    }
  });
});

Deno.test("refusals are counted each and logged at most once per reason every 5 s", async () => {
  await withLogRecords(async (records) => {
    const { stats, control } = setup();
    const port = await freePort();
    const c = await client();
    try {
      await control.apply(udp(port));
      for (let i = 0; i < 30; i++) await c.send("garbage", port);
      await until(() => stats.received === 30, "every datagram");
      equal(stats.rejectedBy["bad-command"], 30);
      const warnings = records.filter((r) => r.level === "warning");
      equal(warnings.length, 1);
      ok(String(warnings[0].message.join("")).includes('starts with "garbage"'));
    } finally {
      await control.close();
      c.socket.close();
    }
  });
});
