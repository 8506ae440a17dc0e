import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { parseUdpAddress, type ResolvedUdpAddress } from "../config/network_monitoring.ts";
import { withLogRecords } from "../testing/log_capture.ts";
import { jobStatus, RecordingApi } from "../testing/recording_api.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { until } from "../testing/wait.ts";
import { parseReport } from "./pmtr_format.ts";
import { PmtrReporter } from "./pmtr_report.ts";

/** A UDP receiver on 127.0.0.1 collecting datagrams as text. */
async function receiver(): Promise<{ socket: Socket; port: number; got: string[] }> {
  const socket = createSocket("udp4");
  const got: string[] = [];
  socket.on("message", (msg: Uint8Array) => got.push(new TextDecoder().decode(msg)));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { socket, port: socket.address().port, got };
}

function udp(text: string): ResolvedUdpAddress {
  const parsed = parseUdpAddress(text, true);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function api() {
  const config = resolvedConfig([
    resolvedJob("web", ["/usr/bin/node", "server.js"]),
    resolvedJob("setup", ["/bin/true"], { wait: true }),
    resolvedJob("batch", ["/opt/batch"], { disabled: true }),
  ]);
  const api = new RecordingApi(config);
  const startedAt = Date.now() - 65_000;
  api.statuses.set("web", jobStatus("web", { state: "running", pid: 4242, startedAt }));
  api.statuses.set("setup", jobStatus("setup", { state: "exited" }));
  api.statuses.set("batch", jobStatus("batch", { disabled: true }));
  return api;
}

Deno.test("a report goes out at once, then every interval, to each destination; none once removed", async () => {
  const one = await receiver();
  const two = await receiver();
  const reporter = new PmtrReporter(api(), 100);
  try {
    reporter.apply([udp(`udp://127.0.0.1:${one.port}`), udp(`udp://127.0.0.1:${two.port}`)]);
    await until(() => one.got.length >= 3 && two.got.length >= 3, "three reports each", 5000);
    const report = parseReport(one.got[0])!;
    equal(report.id, Deno.hostname());
    deepStrictEqual(report.lines.map((l) => [l.name, l.disabled, l.pid, l.command]), [
      ["web", false, 4242, "/usr/bin/node"],
      ["batch", true, 0, "/opt/batch"],
    ], "the wait job is left out, as pmtr leaves one-time jobs out");
    ok(report.lines[0].elapsedSeconds >= 65 && report.lines[0].elapsedSeconds < 70);
    equal(report.lines[1].elapsedSeconds, 0);

    reporter.apply([udp(`udp://127.0.0.1:${one.port}`)]);
    const [before1, before2] = [one.got.length, two.got.length];
    await until(() => one.got.length >= before1 + 2, "two more reports to the one left", 5000);
    ok(two.got.length <= before2 + 1, "the removed destination gets nothing more");

    reporter.apply([]);
    const stopped = one.got.length;
    await new Promise((r) => setTimeout(r, 300));
    ok(one.got.length <= stopped + 1, "no reports once no destination is left");
  } finally {
    reporter.close();
    one.socket.close();
    two.socket.close();
  }
});

Deno.test("soon() sends one report within a second, however often it is asked", async () => {
  const one = await receiver();
  const reporter = new PmtrReporter(api(), 60_000);
  try {
    reporter.apply([udp(`udp://127.0.0.1:${one.port}`)]);
    await until(() => one.got.length === 1, "the first report");
    for (let i = 0; i < 5; i++) reporter.soon();
    await until(() => one.got.length === 2, "one report after soon()", 3000);
    await new Promise((r) => setTimeout(r, 1200));
    equal(one.got.length, 2);
  } finally {
    reporter.close();
    one.socket.close();
  }
});

Deno.test("an interface that does not exist here is logged and that destination skipped", async () => {
  await withLogRecords(async (records) => {
    const one = await receiver();
    const reporter = new PmtrReporter(api(), 60_000);
    try {
      reporter.apply([udp("udp://239.0.0.1:9@nosuchif0"), udp(`udp://127.0.0.1:${one.port}`)]);
      await until(() => one.got.length === 1, "the report to the other destination");
      const error = records.find((r) => r.level === "error");
      ok(String(error?.message.join("")).includes('interface "nosuchif0" has no IPv4 address'));
    } finally {
      reporter.close();
      one.socket.close();
    }
  });
});
