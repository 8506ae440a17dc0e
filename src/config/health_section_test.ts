import { deepStrictEqual, equal } from "node:assert/strict";
import { parseAccounts } from "./accounts.ts";
import { formatIssue } from "./config_error.ts";
import { describeHealth } from "./health_section.ts";
import { validateConfig } from "./validate.ts";

const accounts = parseAccounts("root:x:0:0:root:/root:/bin/bash\n", "root:x:0:\n");
const source = "/srv/app/sup.config.ts";

async function check(health: unknown) {
  const result = await validateConfig(
    { jobs: { web: { cmd: "node web.js", health }, db: { cmd: "postgres" } } },
    { source, hostname: "laptop", accounts },
  );
  return result.ok
    ? { problems: [], health: result.config.jobs[0].health }
    : { problems: result.issues.map(formatIssue), health: null };
}

Deno.test("a health check gets its defaults: every 10s, 5s timeout, 3 failures, 30s start period, restart", async () => {
  const { problems, health } = await check({ http: { url: "http://127.0.0.1:8080/healthz" } });
  deepStrictEqual(problems, []);
  deepStrictEqual(health, {
    check: {
      kind: "http",
      url: "http://127.0.0.1:8080/healthz",
      status: null,
      body: null,
      headers: {},
    },
    intervalMs: 10_000,
    timeoutMs: 5_000,
    failures: 3,
    startPeriodMs: 30_000,
    action: "restart",
  });
  equal((await check(undefined)).health, null);
});

Deno.test("each kind of check resolves", async () => {
  deepStrictEqual(
    (await check({ tcp: { port: 5432 }, interval: "2s", action: "kill" })).health?.check,
    {
      kind: "tcp",
      host: "127.0.0.1",
      port: 5432,
    },
  );
  deepStrictEqual((await check({ exec: { cmd: "pg_isready -h 127.0.0.1" } })).health?.check, {
    kind: "exec",
    argv: ["pg_isready", "-h", "127.0.0.1"],
  });
  deepStrictEqual(
    (await check({
      http: { url: "https://x.test/a", status: [200, 204], body: "ok", headers: { A: "b" } },
    })).health?.check,
    { kind: "http", url: "https://x.test/a", status: [200, 204], body: "ok", headers: { A: "b" } },
  );
  deepStrictEqual((await check({ http: { url: "http://x.test/", status: 204 } })).health?.check, {
    kind: "http",
    url: "http://x.test/",
    status: [204],
    body: null,
    headers: {},
  });
});

Deno.test("bad health options are named with their path", async () => {
  const cases: [unknown, string[]][] = [
    [{}, [
      'jobs.web.health: needs one check: "http", "tcp" or "exec" (e.g. { http: { url: "http://127.0.0.1:8080/healthz" } })',
    ]],
    [{ http: { url: "http://a/" }, tcp: { port: 1 } }, [
      'jobs.web.health: has "http" and "tcp": give exactly one check',
    ]],
    [{ http: { url: "ftp://a/" } }, [
      'jobs.web.health.http.url: must be an http:// or https:// URL, got "ftp://a/" (e.g. "http://127.0.0.1:8080/healthz")',
    ]],
    [{ http: {} }, [
      'jobs.web.health.http.url: missing (expected a URL, e.g. "http://127.0.0.1:8080/healthz")',
    ]],
    [{ http: { url: "http://a/", status: [200, 700], headers: { "a b": "x" } } }, [
      "jobs.web.health.http.status[1]: must be an HTTP status code 100-599, got 700",
      'jobs.web.health.http.headers."a b": is not a valid header name',
    ]],
    [{ tcp: { port: 70000 } }, [
      "jobs.web.health.tcp.port: must be a whole number 1-65535, got 70000",
    ]],
    [{ tcp: {} }, ["jobs.web.health.tcp.port: missing (expected a port number 1-65535)"]],
    [{ exec: { cmd: [] } }, [
      'jobs.web.health.exec.cmd: must not be an empty array (expected e.g. ["node", "server.js"])',
    ]],
    [{ tcp: { port: 1 }, failures: 0, interval: "0s", action: "reboto", timout: "1s" }, [
      'jobs.web.health.timout: unknown key (did you mean "timeout"?)',
      "jobs.web.health.interval: must be longer than 0",
      "jobs.web.health.failures: must be a whole number >= 1, got 0",
      'jobs.web.health.action: "reboto" is not a health action (expected "restart", "kill", "reboot" or "none") (did you mean "reboot"?)',
    ]],
    ["yes", [
      'jobs.web.health: must be an object like { http: { url: "http://127.0.0.1:8080/healthz" } }, got "yes"',
    ]],
  ];
  for (const [health, expected] of cases) {
    deepStrictEqual((await check(health)).problems, expected, JSON.stringify(health));
  }
});

Deno.test("describeHealth says the check in the config's words", async () => {
  equal(
    describeHealth((await check({ tcp: { port: 5432 }, interval: "2s", failures: 5 })).health!),
    "tcp 127.0.0.1:5432, interval 2s, timeout 5s, failures 5, startPeriod 30s, action restart",
  );
  equal(
    describeHealth(
      (await check({ exec: { cmd: ["sh", "-c", "test -e x"] }, action: "none" })).health!,
    ),
    'exec sh -c "test -e x", interval 10s, timeout 5s, failures 3, startPeriod 30s, action none',
  );
  equal(
    describeHealth((await check({ http: { url: "http://a/h", status: [200, 204] } })).health!),
    "http GET http://a/h (status 200 or 204), interval 10s, timeout 5s, failures 3, startPeriod 30s, action restart",
  );
});
