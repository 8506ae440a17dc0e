import { deepStrictEqual, equal } from "node:assert/strict";
import { parseAccounts } from "./accounts.ts";
import { formatIssue } from "./config_error.ts";
import { isIpv4Multicast, monitoringLines, parseUdpAddress } from "./network_monitoring.ts";
import { resolveConfig } from "./resolve.ts";
import { validateConfig } from "./validate.ts";

const accounts = parseAccounts("root:x:0:0:root:/root:/bin/bash\n", "root:x:0:\n");
const source = "/srv/app/sup.config.ts";
const jobs = { web: { cmd: "node web.js" } };

async function problems(network: unknown): Promise<string[]> {
  const result = await validateConfig({ jobs, network }, { source, hostname: "h", accounts });
  return result.ok ? [] : result.issues.map(formatIssue);
}

Deno.test("report, control and http.metrics resolve, with pmtr's udp://host:port[@iface]", async () => {
  const config = await resolveConfig({
    jobs,
    network: {
      http: { metrics: "token" },
      report: ["udp://127.0.0.1:9999", "udp://239.0.0.1:9999@eth2", "udp://[::1]:7000"],
      control: "udp://127.0.0.1:10000",
    },
  }, { source, hostname: "h", accounts });
  equal(config.network.http.metrics, "token");
  deepStrictEqual(config.network.report, [
    { host: "127.0.0.1", port: 9999, iface: null, url: "udp://127.0.0.1:9999" },
    { host: "239.0.0.1", port: 9999, iface: "eth2", url: "udp://239.0.0.1:9999@eth2" },
    { host: "::1", port: 7000, iface: null, url: "udp://[::1]:7000" },
  ]);
  deepStrictEqual(config.network.control, {
    host: "127.0.0.1",
    port: 10000,
    iface: null,
    url: "udp://127.0.0.1:10000",
  });
});

Deno.test("off by default: no report, no control, metrics open", async () => {
  for (const network of [undefined, {}, { report: false, control: false }]) {
    const config = await resolveConfig({ jobs, network }, { source, hostname: "h", accounts });
    deepStrictEqual(config.network.report, []);
    equal(config.network.control, null);
    equal(config.network.http.metrics, "open");
  }
  const one = await resolveConfig({ jobs, network: { report: "udp://localhost:9" } }, {
    source,
    hostname: "h",
    accounts,
  });
  deepStrictEqual(one.network.report.map((r) => r.host), ["localhost"]);
});

const cases: [string, unknown, string[]][] = [
  ["not a URL", { report: "127.0.0.1:9999" }, [
    'network.report: "127.0.0.1:9999" is not a UDP address (expected e.g. "udp://127.0.0.1:9999", or "udp://239.0.0.1:9999@eth0" for multicast)',
  ]],
  ["tcp", { control: "tcp://127.0.0.1:10000" }, [
    'network.control: "tcp://127.0.0.1:10000" is not a UDP address (expected e.g. "udp://127.0.0.1:10000")',
  ]],
  ["port out of range, in a list", { report: ["udp://127.0.0.1:9", "udp://127.0.0.1:70000"] }, [
    'network.report[1]: "udp://127.0.0.1:70000": port 70000 is not a port number 1-65535',
  ]],
  ["port 0", { control: "udp://127.0.0.1:0" }, [
    'network.control: "udp://127.0.0.1:0": port 0 is not a port number 1-65535',
  ]],
  ["an interface on control", { control: "udp://239.0.0.1:10000@eth0" }, [
    'network.control: "udp://239.0.0.1:10000@eth0": an interface (@eth0) applies to network.report only',
  ]],
  ["an interface after a unicast address", { report: "udp://10.1.2.3:9999@eth0" }, [
    'network.report: "udp://10.1.2.3:9999@eth0": an interface (@eth0) applies to an IPv4 multicast address only (224.0.0.0-239.255.255.255)',
  ]],
  ["a number", { control: 10000 }, [
    'network.control: must be a UDP address (e.g. "udp://127.0.0.1:10000") or false, got 10000',
  ]],
  ["true", { report: true }, [
    'network.report: must be a UDP address (e.g. "udp://127.0.0.1:9999", or "udp://239.0.0.1:9999@eth0" for multicast) or false, got true',
  ]],
  ["metrics typo", { http: { metrics: "tokn" } }, [
    'network.http.metrics: "tokn" is not who may read /metrics and /healthz (expected "open" or "token") (did you mean "token"?)',
  ]],
  ["unknown key beside them", { reprot: "udp://127.0.0.1:9" }, [
    'network.reprot: unknown key (did you mean "report"?)',
  ]],
];

for (const [name, network, expected] of cases) {
  Deno.test(`network monitoring options: ${name}`, async () => {
    deepStrictEqual(await problems(network), expected);
  });
}

Deno.test("IPv4 multicast is 224.0.0.0/4", () => {
  deepStrictEqual(
    ["224.0.0.1", "239.255.255.255", "223.1.1.1", "240.0.0.1", "239.0.0", "eth0", "::1"].map(
      isIpv4Multicast,
    ),
    [true, true, false, false, false, false, false],
  );
  equal(parseUdpAddress("udp://239.1.1.1:5@averyveryverylongname", true).ok, false);
});

Deno.test("sup check shows the monitoring options that differ from the defaults", async () => {
  const network = (await resolveConfig({
    jobs,
    network: {
      http: { metrics: "token" },
      report: ["udp://127.0.0.1:9999", "udp://239.0.0.1:9999@eth2"],
      control: "udp://127.0.0.1:10000",
    },
  }, { source, hostname: "h", accounts })).network;
  deepStrictEqual(monitoringLines(network), [
    "  metrics    /metrics and /healthz need the operator token",
    "  report     udp://127.0.0.1:9999, udp://239.0.0.1:9999@eth2 (pmtr, every 10s)",
    "  control    udp://127.0.0.1:10000 (pmtr enable/disable)",
  ]);
  deepStrictEqual(
    monitoringLines((await resolveConfig({ jobs }, { source, hostname: "h", accounts })).network),
    [],
  );
});
