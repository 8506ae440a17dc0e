/**
 * pmtr's report to a multicast group out of a named interface
 * (`udp://239.x.y.z:port@lo`), for real: sup and a receiver run in a
 * network namespace of their own (`unshare -n`, root; `ip` from iproute2)
 * whose only interface is loopback with multicast on, so no datagram
 * leaves the machine. Without IP_MULTICAST_IF the send fails there (no
 * route to 239.0.0.0/8), so a report received proves the interface was set.
 */

import { equal, ok } from "node:assert/strict";
import { parseReport } from "../src/control/pmtr_format.ts";

const PROBE = new URL("./fixtures/pmtr_multicast_probe.ts", import.meta.url).pathname;

Deno.test("a multicast report leaves from the named interface, whose address ends its report line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-pmtr-mc-" });
  await Deno.mkdir(`${dir}/runtime`);
  const group = "239.255.77.1";
  const port = 9999; // a namespace of its own: every port is free
  await Deno.writeTextFile(
    `${dir}/sup.json`,
    JSON.stringify({
      jobs: { web: { cmd: "sleep 600" } },
      network: { report: `udp://${group}:${port}@lo` },
    }),
  );
  const script = "ip link set lo up && ip link set lo multicast on && exec " +
    `"${Deno.execPath()}" run -A "${PROBE}" "${dir}" ${group} ${port}`;
  const child = new Deno.Command("unshare", {
    args: ["-n", "sh", "-c", script],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    detached: true, // its own process group: ended whole, by its id
  }).spawn();
  const timer = setTimeout(() => Deno.kill(-child.pid, "SIGKILL"), 60_000);
  try {
    const out = await child.output();
    const stderr = new TextDecoder().decode(out.stderr);
    equal(out.code, 0, `the probe failed:\n${stderr}`);
    const { text, from } = JSON.parse(new TextDecoder().decode(out.stdout).trim());
    const report = parseReport(text);
    ok(report, text);
    equal(report.id, `${Deno.hostname()} 127.0.0.1`, "pmtr appends the interface's address");
    equal(report.lines[0].name, "web");
    equal(from, "127.0.0.1", "sent from lo's address");
  } finally {
    clearTimeout(timer);
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      // the group is gone
    }
    await Deno.remove(dir, { recursive: true });
  }
});
