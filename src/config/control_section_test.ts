import { deepStrictEqual, equal } from "node:assert/strict";
import { parseAccounts } from "./accounts.ts";
import { formatIssue } from "./config_error.ts";
import { supName } from "./resolved_control.ts";
import { resolveConfig } from "./resolve.ts";
import { validateConfig } from "./validate.ts";

const accounts = parseAccounts(
  "root:x:0:0:root:/root:/bin/bash\n",
  "root:x:0:\nkiosk-admins:x:1200:\n",
);
const source = "/opt/kiosk/config.ts";
const jobs = { web: { cmd: "node web.js" } };

async function problems(network: unknown): Promise<string[]> {
  const result = await validateConfig({ jobs, network }, { source, hostname: "h", accounts });
  return result.ok ? [] : result.issues.map(formatIssue);
}

async function network(value: unknown) {
  return (await resolveConfig({ jobs, network: value }, { source, hostname: "h", accounts }))
    .network;
}

Deno.test("network.socket resolves its path against the config, its group by name", async () => {
  const resolved = await network({
    name: "kiosk",
    socket: { path: "run/sup.sock", mode: 0o660, group: "kiosk-admins" },
  });
  equal(resolved.name, "kiosk");
  deepStrictEqual(resolved.socket, { path: "/opt/kiosk/run/sup.sock", mode: 0o660, gid: 1200 });
  deepStrictEqual((await network({ socket: { group: 44 } })).socket, {
    path: null,
    mode: 0o600,
    gid: 44,
  });
  equal((await network({ socket: false })).socket, null);
  deepStrictEqual(await network(undefined), {
    ...(await network(undefined)),
    name: null,
    socket: { path: null, mode: 0o600, gid: null },
  });
});

Deno.test("network.name and network.socket report every mistake with its path", async () => {
  const long = `/tmp/${"x".repeat(110)}.sock`;
  deepStrictEqual(
    await problems({
      name: "my kiosk",
      socket: { path: long, mode: 0o066, group: "nobody-here", size: 1 },
    }),
    [
      'network.name: "my kiosk" is not a name for sup (letters, digits, ".", "_" and "-", at most 64, starting with a letter or digit; e.g. "kiosk")',
      "network.socket.size: unknown key",
      `network.socket.path: "${long}" is 120 bytes long; a socket path may have at most 107 (choose a shorter one, e.g. "/run/sup/kiosk.sock")`,
      "network.socket.mode: must let sup's user read and write (include 0o600), got 0o66",
      'network.socket.group: unknown group "nobody-here" (not in /etc/group; to put the job in a job group, write groups: ["nobody-here"])',
    ],
  );
  deepStrictEqual(await problems({ socket: "yes" }), [
    'network.socket: must be an object ({ path, mode, group }) or false, got "yes"',
  ]);
  deepStrictEqual(await problems({ sockett: {} }), [
    'network.sockett: unknown key (did you mean "socket"?)',
  ]);
});

Deno.test("a sup's name is network.name, else its config file's (or folder's) name and a hash of the path", () => {
  equal(supName("/opt/kiosk/config.ts", "lobby"), "lobby");
  equal(supName("/opt/kiosk/config.ts", null).replace(/[0-9a-f]{8}$/, "#"), "kiosk-#");
  equal(supName("/opt/kiosk/sup.config.ts", null).replace(/[0-9a-f]{8}$/, "#"), "kiosk-#");
  equal(supName("/srv/lobby-wall.toml", null).replace(/[0-9a-f]{8}$/, "#"), "lobby-wall-#");
  equal(supName("/srv/my wall!.json", null).replace(/[0-9a-f]{8}$/, "#"), "my-wall-#");
  const a = supName("/a/kiosk/config.ts", null);
  const b = supName("/b/kiosk/config.ts", null);
  equal(a.slice(0, 6), b.slice(0, 6));
  equal(a === b, false, "two configs never share a derived name");
});
