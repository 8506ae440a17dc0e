/**
 * The control socket seen by another local user (`supprobe`, created by
 * `.ci/run`), with the CLI's discovery run as that user: a 0600 socket of
 * root's is refused with a message that names its owner and mode; a socket
 * in root's runtime folder is reported as out of reach; widening
 * `network.socket.mode` and `group` (a reload) lets the user in.
 */
import { equal, match } from "node:assert/strict";
import { until } from "../src/testing/wait.ts";
import { startSupProcess } from "./support/sup_run.ts";

const PROBE_USER = "supprobe";
const FIND = new URL("./fixtures/control/find_sup.ts", import.meta.url).pathname;

function skipReason(): string | null {
  if (Deno.uid() !== 0) return "not root (runuser needs root)";
  const out = new Deno.Command("id", { args: ["-u", PROBE_USER], stdout: "null", stderr: "null" })
    .outputSync();
  return out.success ? null : `user ${PROBE_USER} is missing (.ci/run creates it)`;
}
const skip = skipReason();
if (skip) console.warn(`control_users_test skipped: ${skip}`);

/** A folder the probe user can use: Deno's binary (hard-linked, else copied) and its own DENO_DIR. */
async function probeKit(): Promise<{ dir: string; deno: string }> {
  const dir = await Deno.makeTempDir({ prefix: "sup-probe-kit-" });
  await Deno.chmod(dir, 0o755);
  const deno = `${dir}/deno`;
  try {
    await Deno.link(Deno.execPath(), deno);
  } catch {
    await Deno.copyFile(Deno.execPath(), deno);
  }
  await Deno.mkdir(`${dir}/deno_dir`);
  await new Deno.Command("chown", { args: [PROBE_USER, `${dir}/deno_dir`] }).output();
  return { dir, deno };
}

/** `findSup(options)` as the probe user: "connected <name>" or "ControlError: ...". */
async function findAs(
  kit: { dir: string; deno: string },
  options: unknown,
  env: Record<string, string> = {},
): Promise<string> {
  const out = await new Deno.Command("runuser", {
    args: [
      "-u",
      PROBE_USER,
      "--",
      "env",
      `DENO_DIR=${kit.dir}/deno_dir`,
      "NO_COLOR=1",
      ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
      kit.deno,
      "run",
      "-A",
      "--no-config",
      "--quiet",
      FIND,
      JSON.stringify(options),
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  const text = new TextDecoder();
  equal(out.code, 0, text.decode(out.stderr));
  return text.decode(out.stdout).trim();
}

Deno.test({
  name: "another user's socket is refused with who owns it; its mode and group let them in",
  ignore: skip !== null,
  async fn() {
    const kit = await probeKit();
    const shared = await Deno.makeTempDir({ prefix: "sup-shared-" });
    await Deno.chmod(shared, 0o755);
    try {
      await using sup = await startSupProcess(() => ({
        network: { name: "kiosk", socket: { path: `${shared}/kiosk.sock` } },
        jobs: { web: { cmd: "sleep 600" } },
      }));
      const path = `${shared}/kiosk.sock`;
      const uid = Deno.uid();
      const refused = await findAs(kit, { socket: path });
      match(
        refused,
        new RegExp(
          `^ControlError: The socket "${path}" belongs to user "root" \\(uid ${uid}\\) and its mode ` +
            `0o600 does not let you in \\(you are user "${PROBE_USER}" \\(uid \\d+\\)\\): run the ` +
            `command as that user \\(e\\.g\\. sudo -u root sup \\.\\.\\.\\), or widen network\\.socket`,
        ),
      );
      // The runtime folder (0700) is closed to the user altogether.
      const folder = `${sup.dir}/runtime/sup`;
      const closed = await findAs(kit, { socket: `${folder}/x.sock` });
      match(closed, /^ControlError: Cannot look at ".*x\.sock": its folder is closed to you/);

      // Widened to the user's group by a reload: mode and group change in place.
      const config = JSON.parse(await Deno.readTextFile(`${sup.dir}/sup.json`));
      config.network.socket.mode = 0o660;
      config.network.socket.group = PROBE_USER; // its own group (useradd makes one)
      await Deno.writeTextFile(`${sup.dir}/sup.json`, JSON.stringify(config));
      await until(() => ((Deno.statSync(path).mode ?? 0) & 0o777) === 0o660, "mode 0o660");
      const gid = Number(
        new TextDecoder().decode(
          (await new Deno.Command("id", { args: ["-g", PROBE_USER] }).output()).stdout,
        ),
      );
      equal(Deno.statSync(path).gid, gid, "the socket's group");
      equal(await findAs(kit, { socket: path }), "connected kiosk");
    } finally {
      await Deno.remove(kit.dir, { recursive: true });
      await Deno.remove(shared, { recursive: true });
    }
  },
});

Deno.test({
  name: "a user who looks for sups in a folder closed to them is told whose sockets are there",
  ignore: skip !== null,
  async fn() {
    const kit = await probeKit();
    try {
      await using sup = await startSupProcess(() => ({ jobs: { web: { cmd: "sleep 600" } } }));
      const folder = `${sup.dir}/runtime/sup`;
      const message = await findAs(kit, {}, { SUP_STATE_DIR: folder });
      match(message, /^ControlError: No sup is running for you/);
      match(
        message,
        new RegExp(`"${folder}" is closed to you: the sockets of sups run by another user`),
      );
    } finally {
      await Deno.remove(kit.dir, { recursive: true });
    }
  },
});
