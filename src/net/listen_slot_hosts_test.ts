import { equal } from "node:assert/strict";
import { allowsOrigin, servesHost } from "./listen_slot_hosts.ts";

Deno.test("Host: IP addresses, localhost, the bind address and listed names are served; other names are not", () => {
  const served = { host: "kiosk.lan", hosts: ["panel.local", "exact.local:8888"] };
  const cases: Array<[string | undefined, boolean]> = [
    [undefined, true],
    ["127.0.0.1", true],
    ["127.0.0.1:8888", true],
    ["[::1]:8888", true],
    ["[::1]", true],
    ["192.168.1.20:8888", true],
    ["localhost:8888", true],
    ["LOCALHOST.", true],
    ["kiosk.lan:8888", true],
    ["panel.local:1234", true],
    ["exact.local:8888", true],
    ["exact.local:9999", false],
    ["exact.local", false],
    ["evil.example:8888", false],
    ["evil.example", false],
    ["localhost.evil.example", false],
    ["127.0.0.1.nip.io", false],
    ["", false],
    ["a b", false],
    ["user@localhost", false],
  ];
  for (const [host, expected] of cases) equal(servesHost(host, served), expected, String(host));
});

Deno.test("Origin: programs, sup's own HTTP pages and listed origins connect; null only when listed", () => {
  const policy = (origins: string[]) => ({
    http: { host: "127.0.0.1", hosts: ["panel.local"], port: 8888 },
    origins,
  });
  const cases: Array<[string | undefined, string[], boolean]> = [
    [undefined, [], true],
    ["http://127.0.0.1:8888", [], true],
    ["http://localhost:8888", [], true],
    ["http://[::1]:8888", [], true],
    ["http://panel.local:8888", [], true],
    ["http://127.0.0.1:8080", [], false],
    ["http://evil.example:8888", [], false],
    ["http://192.168.1.9:8888", [], false],
    ["null", [], false],
    ["null", ["null"], true],
    ["http://127.0.0.1:8080", ["http://127.0.0.1:8080"], true],
    ["http://127.0.0.1:8081", ["http://127.0.0.1:8080"], false],
    ["https://app.example", ["https://app.example"], true],
    ["https://app.example", ["*"], true],
    ["not a url", [], false],
  ];
  for (const [origin, origins, expected] of cases) {
    equal(allowsOrigin(origin, policy(origins)), expected, `${origin} with ${origins}`);
  }
});
