/**
 * What another local user can do to a root `sup run` over its HTTP API and
 * WebSocket port, acted as the unprivileged user `supprobe` with curl
 * (`.ci/run` creates it): operator routes need the token (401), which that
 * user cannot read; app routes stay open; a `Host` sup does not serve (DNS
 * rebinding) is refused with 421 on both ports.
 */

import { equal, match, ok } from "node:assert/strict";
import { startSupProcess } from "./support/sup_run.ts";
import { operatorHeaders, operatorTokenPath } from "./support/operator_token.ts";

function probeUser(): string | null {
  if (Deno.uid() !== 0) return "not root (runuser needs root)";
  try {
    const out = new Deno.Command("id", { args: ["-u", "supprobe"], stdout: "null", stderr: "null" })
      .outputSync();
    return out.success ? null : "user supprobe is missing (.ci/run creates it)";
  } catch {
    return "cannot run id";
  }
}
const skip = probeUser();
if (skip) console.warn(`security_web_user_test skipped: ${skip}`);

/** curl as supprobe: status code and body. */
async function curlAs(args: string[]): Promise<{ code: number; body: string }> {
  const out = await new Deno.Command("runuser", {
    args: ["-u", "supprobe", "--", "curl", "-s", "-m", "5", "-w", "\n%{http_code}", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const at = text.lastIndexOf("\n");
  return { code: Number(text.slice(at + 1)), body: text.slice(0, at) };
}

const config = () => ({
  network: { http: { hosts: ["panel.local"] } },
  jobs: {
    svc: { cmd: "sleep 300" },
    secret: { cmd: ["/bin/sh", "-c", "echo password=hunter2; exec sleep 300"] },
  },
});

Deno.test({
  name: "another local user cannot stop a job or read its output: operator routes need the token",
  ignore: skip !== null,
  async fn() {
    await using sup = await startSupProcess(config);
    const token = await operatorHeaders(`${sup.dir}/runtime`);
    const path = await operatorTokenPath(`${sup.dir}/runtime`);
    equal(Deno.statSync(path).mode! & 0o777, 0o600, "token file mode");
    equal(Deno.statSync(`${sup.dir}/runtime/sup`).mode! & 0o777, 0o700, "token folder mode");
    const base = `http://127.0.0.1:${sup.ports.http}`;
    await sup.waitForLog(["Operator token", path], "the token path logged");

    const stop = await curlAs(["-X", "POST", `${base}/api/jobs/svc/stop`]);
    equal(stop.code, 401, stop.body);
    ok(stop.body.includes(path), `the 401 names the token file: ${stop.body}`);
    const output = await curlAs([`${base}/api/jobs/secret/output`]);
    equal(output.code, 401);
    ok(!output.body.includes("hunter2"));
    const status = await curlAs([`${base}/api/status`]);
    equal(status.code, 401);
    const wrong = await curlAs(["-H", "Authorization: Bearer guess", `${base}/api/status`]);
    equal(wrong.code, 401);
    // The token file is out of that user's reach.
    const cat = await new Deno.Command("runuser", {
      args: ["-u", "supprobe", "--", "cat", path],
      stdout: "null",
      stderr: "null",
    }).output();
    equal(cat.success, false, "supprobe could read the token file");
    // App routes stay open on loopback.
    equal((await curlAs([`${base}/config`])).code, 200);

    // The job still runs; with the token the operator is served.
    const svc = await (await fetch(`${base}/api/jobs/svc`, { headers: token })).json();
    equal(svc.state, "running");
    const tail = await (await fetch(`${base}/api/jobs/secret/output`, { headers: token })).json();
    ok(JSON.stringify(tail).includes("hunter2"));

    // A stopped sup leaves no token behind.
    equal((await sup.stop()).code, 0);
    equal(await Deno.stat(path).then(() => true, () => false), false, "token file removed");
  },
});

Deno.test({
  name: "a Host sup does not serve (DNS rebinding) gets 421 on the HTTP API and the WebSocket port",
  ignore: skip !== null,
  async fn() {
    await using sup = await startSupProcess(config);
    const base = `http://127.0.0.1:${sup.ports.http}`;
    const token = await operatorHeaders(`${sup.dir}/runtime`);
    const auth = ["-H", `Authorization: ${token.Authorization}`];
    const evil = `evil.example:${sup.ports.http}`;
    for (const what of ["restart", "stop"]) {
      // Even with the token (a rebinding page cannot have it, but the Host alone must refuse).
      const answer = await curlAs([
        ...auth,
        "-X",
        "POST",
        "-H",
        `Host: ${evil}`,
        "-H",
        `Origin: http://${evil}`,
        `${base}/api/jobs/svc/${what}`,
      ]);
      equal(answer.code, 421, answer.body);
      match(answer.body, /network\.http\.hosts/);
    }
    const output = await curlAs([...auth, "-H", `Host: ${evil}`, `${base}/api/jobs/secret/output`]);
    equal(output.code, 421);
    equal((await curlAs(["-H", `Host: ${evil}`, `${base}/config`])).code, 421);
    // Names sup serves.
    for (const host of ["localhost", `localhost:${sup.ports.http}`, "[::1]", "panel.local:1"]) {
      equal((await curlAs(["-H", `Host: ${host}`, `${base}/config`])).code, 200, host);
    }
    const svc = await (await fetch(`${base}/api/jobs/svc`, { headers: token })).json();
    equal(svc.restarts, 0);
    equal(svc.state, "running");

    const upgrade = [
      "-H",
      "Connection: Upgrade",
      "-H",
      "Upgrade: websocket",
      "-H",
      "Sec-WebSocket-Version: 13",
      "-H",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ];
    const ws = `http://127.0.0.1:${sup.ports.websocket}/app?job=svc`;
    const refused = await curlAs([
      ...upgrade,
      "-H",
      `Host: evil.example:${sup.ports.websocket}`,
      ws,
    ]);
    equal(refused.code, 421, refused.body);
    match(refused.body, /network\.websocket\.hosts/);
    // The same upgrade naming 127.0.0.1 is accepted (101; curl then times out on the open socket).
    const accepted = await curlAs([...upgrade, "-m", "1", ws]);
    equal(accepted.code, 101);
  },
});
