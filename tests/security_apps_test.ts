/**
 * Registrations as a second, unprivileged local user (`supprobe`, created
 * by `.ci/run`) against a sup running as root: a kill of a root process is
 * refused over HTTP, WebSocket and OSC, saying why; a kill of that user's own
 * process is accepted, and carried out when its refresh is missed. The
 * client runs as that user (`runuser`, `setpriv` + Debian's /usr/bin/python3),
 * so sup tells who sent it only from the socket's owner in /proc/net.
 */

import { equal, ok } from "node:assert/strict";
import { encodeOscMessage } from "../src/channels/osc_encode.ts";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { until } from "../src/testing/wait.ts";
import { startLiveSup } from "./support/live_sup.ts";

const PROBE = "supprobe";

function probeIds(): [number, number] | null {
  try {
    const line = Deno.readTextFileSync("/etc/passwd").split("\n").find((l) =>
      l.startsWith(`${PROBE}:`)
    );
    return line ? [Number(line.split(":")[2]), Number(line.split(":")[3])] : null;
  } catch {
    return null;
  }
}

const ids = probeIds();
const uid = ids?.[0] ?? null;
const skipReason = Deno.uid() !== 0
  ? "needs root (sup runs as root; the client as another user)"
  : uid === null
  ? `needs the unprivileged user "${PROBE}" (.ci/run creates it with useradd)`
  : null;
if (skipReason) console.log(`security_apps_test skipped: ${skipReason}`);

/** Runs `argv` as the probe user; resolves with its stdout (bounded by `timeout`). */
async function asProbe(argv: string[]): Promise<string> {
  const out = await new Deno.Command("timeout", {
    args: ["20", "setpriv", `--reuid=${PROBE}`, `--regid=${PROBE}`, "--clear-groups", ...argv],
    stdout: "piped",
    stderr: "piped",
    cwd: "/",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`${argv[0]} as ${PROBE} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

/** A `sleep` in its own session, as root or as the probe user. */
function sleeper(asUser: boolean): Deno.ChildProcess {
  const argv = asUser
    ? ["setpriv", `--reuid=${PROBE}`, `--regid=${PROBE}`, "--clear-groups", "sleep", "300"]
    : ["sleep", "300"];
  return new Deno.Command(argv[0], {
    args: argv.slice(1),
    detached: true,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function end(child: Deno.ChildProcess): Promise<void> {
  try {
    Deno.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
  await child.status;
}

/** `curl` as the probe user: "<status> <body>". */
function curlRegister(url: string, body: unknown): Promise<string> {
  return asProbe([
    "curl",
    "-s",
    "-o",
    "-",
    "-w",
    " %{http_code}",
    "-X",
    "POST",
    "--data",
    JSON.stringify(body),
    url,
  ]);
}

/** A raw WebSocket client in Python: handshake, one masked text frame, one frame back. */
const WS_CLIENT = `
import socket, os, sys, struct
port, frame = int(sys.argv[1]), sys.argv[2].encode()
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(("GET /app HTTP/1.1\\r\\nHost: 127.0.0.1:%d\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n" % port).encode())
head = b""
while b"\\r\\n\\r\\n" not in head:
  head += s.recv(1)
assert b" 101 " in head.split(b"\\r\\n")[0], head
mask = os.urandom(4)
n = len(frame)
hdr = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
s.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(frame)))
def read(k):
  data = b""
  while len(data) < k:
    data += s.recv(k - len(data))
  return data
b0, b1 = read(2)
n = b1 & 0x7f
if n == 126: n = struct.unpack(">H", read(2))[0]
elif n == 127: n = struct.unpack(">Q", read(8))[0]
print(read(n).decode())
`;

/** An OSC client in Python: sends the datagram (hex) and prints the reply's hex. */
const OSC_CLIENT = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(10)
s.sendto(bytes.fromhex(sys.argv[2]), ("127.0.0.1", int(sys.argv[1])))
print(s.recv(65536).hex())
`;

/** The string arguments of an OSC reply, decoded loosely (tests only). */
function oscStrings(hex: string): string[] {
  const bytes = new Uint8Array(hex.trim().match(/../g)!.map((h) => parseInt(h, 16)));
  return new TextDecoder().decode(bytes).split("\0").filter((s) => s !== "");
}

const toHex = (bytes: Uint8Array) =>
  [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

/** Waits (bounded) until process `pid` runs as the probe user (setpriv has switched). */
function runsAsProbe(pid: number): Promise<void> {
  return until(
    () => {
      const status = Deno.readTextFileSync(`/proc/${pid}/status`);
      return new RegExp(`^Uid:\\s+${uid}\\s`, "m").test(status);
    },
    "the probe's sleep runs as the probe user",
    5000,
  );
}

Deno.test({
  name:
    "as an unprivileged user, a kill of a root process is refused on every channel; its own is accepted",
  ignore: skipReason !== null,
  async fn() {
    await using sup = await startLiveSup({ jobs: () => [resolvedJob("kiosk", ["sleep", "300"])] });
    const root = sleeper(false);
    const own = sleeper(true);
    try {
      await runsAsProbe(own.pid);
      const why = `pid ${root.pid} runs as uid 0, not as the sender's uid ${uid}; ` +
        "only root may register another user's process";
      const kill = (pid: number) => ({ name: "probe", timeout: "60s", action: "kill", pid });

      // HTTP
      const http = await curlRegister(`${sup.httpUrl}/api/apps`, kill(root.pid));
      ok(http.endsWith(" 403"), http);
      equal(JSON.parse(http.slice(0, -4)).error, `pid: ${why}`);
      const httpOwn = await curlRegister(`${sup.httpUrl}/api/apps`, kill(own.pid));
      ok(httpOwn.endsWith(" 201"), httpOwn);

      // WebSocket
      const wsUrlPort = String(sup.ports.websocket);
      const wsFrame = (pid: number) => JSON.stringify({ type: "register", ...kill(pid) });
      const ws = JSON.parse(
        await asProbe(["/usr/bin/python3", "-c", WS_CLIENT, wsUrlPort, wsFrame(root.pid)]),
      );
      equal(ws.type, "error");
      equal(ws.error, `pid: ${why}`);
      const wsOwn = JSON.parse(
        await asProbe(["/usr/bin/python3", "-c", WS_CLIENT, wsUrlPort, wsFrame(own.pid)]),
      );
      equal(wsOwn.type, "registered");

      // OSC
      const osc = (pid: number) =>
        toHex(encodeOscMessage("/register", ["probe", 60_000, "kill", pid]));
      const oscPort = String(sup.ports.osc);
      const refused = oscStrings(
        await asProbe(["/usr/bin/python3", "-c", OSC_CLIENT, oscPort, osc(root.pid)]),
      );
      equal(refused[0], "/error");
      equal(refused.at(-1), `pid: ${why}`);
      const accepted = oscStrings(
        await asProbe(["/usr/bin/python3", "-c", OSC_CLIENT, oscPort, osc(own.pid)]),
      );
      equal(accepted[0], "/registered");

      const owners = sup.side.apps.list().map((a) => [a.pid, a.uid]);
      equal(
        JSON.stringify(owners),
        JSON.stringify([[own.pid, uid], [own.pid, uid], [own.pid, uid]]),
      );
      equal(
        Deno.readTextFileSync(`/proc/${root.pid}/stat`).length > 0,
        true,
        "root's process lives",
      );
    } finally {
      await end(root);
      await end(own);
    }
  },
});

Deno.test({
  name: "an unprivileged user's own process is killed when its registration's refresh is missed",
  ignore: skipReason !== null,
  async fn() {
    await using sup = await startLiveSup({ jobs: () => [resolvedJob("kiosk", ["sleep", "300"])] });
    const own = sleeper(true);
    try {
      await runsAsProbe(own.pid);
      const answer = await curlRegister(`${sup.httpUrl}/api/apps`, {
        name: "probe",
        timeout: "300ms",
        action: "kill",
        pid: own.pid,
      });
      ok(answer.endsWith(" 201"), answer);
      const status = await Promise.race([
        own.status,
        new Promise<null>((r) => setTimeout(() => r(null), 5000)),
      ]);
      equal(status?.signal, "SIGKILL");
    } finally {
      await end(own);
    }
  },
});

Deno.test({
  name:
    "an unprivileged user cannot have sup kill one of its jobs, even a job running as that user",
  ignore: skipReason !== null,
  async fn() {
    await using sup = await startLiveSup({
      jobs: () => [resolvedJob("kiosk", ["sleep", "300"], { uid: ids![0], gid: ids![1] })],
    });
    await until(() => sup.api.jobStatus("kiosk")?.pid != null, "the job runs", 5000);
    const pid = sup.api.jobStatus("kiosk")!.pid!;
    const answer = await curlRegister(`${sup.httpUrl}/api/apps`, {
      name: "probe",
      timeout: "60s",
      action: "kill",
      pid,
    });
    ok(answer.endsWith(" 403"), answer);
    ok(answer.includes(`belongs to sup's job \\"kiosk\\"`), answer);
  },
});
