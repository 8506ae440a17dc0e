/**
 * pmtr compatibility on a real `sup run`: report datagrams received and
 * parsed, `enable`/`disable` datagrams act (logged with their sender,
 * followed by a report, undone by a change of the job's config), garbage
 * dropped and counted, and sup unharmed by any of it.
 */

import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import type { JobStatus } from "../src/core/api.ts";
import { type ParsedReport, parseReport } from "../src/control/pmtr_format.ts";
import { until } from "../src/testing/wait.ts";
import { freeUdpPort } from "./support/ports.ts";
import { startSupProcess, type SupRun } from "./support/sup_run.ts";

/** Receives report datagrams on a free port. */
async function reportReceiver() {
  const port = await freeUdpPort();
  const socket = createSocket("udp4");
  const reports: ParsedReport[] = [];
  const raw: string[] = [];
  socket.on("message", (msg: Uint8Array) => {
    const text = new TextDecoder().decode(msg);
    raw.push(text);
    const report = parseReport(text);
    if (report) reports.push(report);
  });
  await new Promise<void>((resolve) => socket.bind(port, "127.0.0.1", resolve));
  return {
    port,
    reports,
    raw,
    /** The first report from index `from` on that `match`es (bounded wait). */
    async next(match: (r: ParsedReport) => boolean, what: string, from = 0) {
      let found: ParsedReport | undefined;
      await until(() => (found = reports.slice(from).find(match)) !== undefined, what, 15_000);
      return found!;
    },
    [Symbol.dispose]: () => socket.close(),
  };
}

/** A client socket that sends to the control port and says where it sends from. */
async function controlClient(port: number) {
  const socket: Socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    from: `127.0.0.1:${socket.address().port}`,
    send: (data: string | Uint8Array) =>
      new Promise<void>((resolve, reject) =>
        socket.send(data, port, "127.0.0.1", (error) => error ? reject(error) : resolve())
      ),
    [Symbol.dispose]: () => socket.close(),
  };
}

const status = (sup: SupRun, job: string) => sup.get<JobStatus>(`/api/jobs/${job}`);

async function metric(sup: SupRun, series: string): Promise<number | null> {
  const text = await (await fetch(`${sup.api}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

Deno.test("pmtr report and control: reports parsed, enable/disable act and are reported, config changes undo them", async () => {
  using receiver = await reportReceiver();
  const controlPort = await freeUdpPort();
  await using sup = await startSupProcess(() => ({
    jobs: {
      web: { cmd: "sleep 600" },
      worker: { cmd: "sleep 600", groups: ["back"] },
      setup: { cmd: "true", once: true },
    },
    network: {
      report: `udp://127.0.0.1:${receiver.port}`,
      control: `udp://127.0.0.1:${controlPort}`,
    },
  }));
  using client = await controlClient(controlPort);

  // The first report at start: pmtr's format, one-time jobs left out, the pids sup reports.
  const first = await receiver.next(
    (r) => r.lines.length === 2 && r.lines.every((l) => l.pid > 0),
    "a report with both jobs running",
  );
  equal(first.id, Deno.hostname());
  const web = await status(sup, "web");
  deepStrictEqual(first.lines.map((l) => [l.name, l.disabled, l.command]), [
    ["web", false, "sleep"],
    ["worker", false, "sleep"],
  ]);
  equal(first.lines[0].pid, web.pid);
  ok(first.lines[0].elapsedSeconds < 30);

  // disable by group: the job stops, status says disabled, a report follows within a second or so.
  await sup.waitForLog(["pmtr control listening on"], "the control port");
  const before = receiver.reports.length;
  await client.send("disable group:back\n");
  const disabled = await receiver.next(
    (r) => r.lines.some((l) => l.name === "worker" && l.disabled),
    "a report showing worker disabled",
    before,
  );
  deepStrictEqual(disabled.lines.find((l) => l.name === "worker"), {
    name: "worker",
    disabled: true,
    elapsedSeconds: 0,
    pid: 0,
    command: "sleep",
  });
  await until(async () => (await status(sup, "worker")).state === "stopped", "worker stopped");
  equal((await status(sup, "worker")).disabled, true);
  await sup.waitForLog([`pmtr control from ${client.from}: disable worker`], "the logged command");
  equal((await status(sup, "web")).state, "running", "the other job is untouched");

  // enable: started again.
  await client.send("enable worker");
  await until(async () => (await status(sup, "worker")).state === "running", "worker running");
  equal((await status(sup, "worker")).disabled, false);

  // Disabled again, then the job's config changes: the config has the last word.
  await client.send("disable worker");
  await until(async () => (await status(sup, "worker")).disabled, "worker disabled again");
  const config = JSON.parse(await Deno.readTextFile(`${sup.dir}/sup.json`));
  config.jobs.worker.env = { CHANGED: "1" };
  await Deno.writeTextFile(`${sup.dir}/sup.json`, JSON.stringify(config));
  await until(
    async () => {
      const s = await status(sup, "worker");
      return s.state === "running" && !s.disabled;
    },
    "worker running after its config changed",
    15_000,
  );
  equal(await metric(sup, 'sup_channel_received_total{channel="control"}'), 3);
});

Deno.test("garbage on the control port is dropped and counted by reason; sup answers throughout", async () => {
  const controlPort = await freeUdpPort();
  await using sup = await startSupProcess(() => ({
    jobs: { web: { cmd: "sleep 600" } },
    network: { control: `udp://127.0.0.1:${controlPort}` },
  }));
  await sup.waitForLog(["pmtr control listening on"], "the control port");
  using client = await controlClient(controlPort);
  await client.send("hello world");
  await client.send("reboot now");
  await client.send(new Uint8Array([0xff, 0xfe, 0x00, 0x01]));
  await client.send(`disable ${"x".repeat(3000)}`);
  await client.send("disable");
  await client.send("disable wbe");
  for (let i = 0; i < 200; i++) await client.send(crypto.getRandomValues(new Uint8Array(64)));
  await until(
    async () => await metric(sup, 'sup_channel_received_total{channel="control"}') === 206,
    "every datagram received",
  );
  const rejected = async (reason: string) =>
    await metric(sup, `sup_channel_rejected_total{channel="control",reason="${reason}"}`);
  equal(await rejected("bad-command"), 2);
  equal(await rejected("oversized"), 1);
  equal(await rejected("no-job"), 1);
  equal(await rejected("unknown-job"), 1);
  ok((await rejected("not-text"))! >= 150, "random bytes are (almost all) not text");
  const web = await status(sup, "web");
  equal(web.state, "running");
  equal(web.disabled, false, "nothing acted");
  const line = await sup.waitForLog(['unknown job "wbe"'], "the did-you-mean");
  ok(line.includes('did you mean "web"'), line);
  ok(line.includes(client.from), "the sender is named");
  equal((await fetch(`${sup.api}/healthz`)).status, 200);
});
