import { deepStrictEqual, equal, match } from "node:assert/strict";
import { runMachineCommand } from "./reboot.ts";

Deno.test("a machine command runs (a script here, systemctl reboot for real)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-reboot-" });
  try {
    const outcome = await runMachineCommand([
      "/bin/sh",
      "-c",
      `echo "$0" > ${dir}/rebooted`,
      "asked",
    ]);
    deepStrictEqual(outcome, { ok: true });
    equal(await Deno.readTextFile(`${dir}/rebooted`), "asked\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failing or missing machine command says why, never throws", async () => {
  const failed = await runMachineCommand(["/bin/sh", "-c", "echo not allowed >&2; exit 3"]);
  equal(failed.ok, false);
  if (!failed.ok) equal(failed.error, "exited with code 3: not allowed");
  const missing = await runMachineCommand(["/nonexistent/reboot"]);
  equal(missing.ok, false);
  if (!missing.ok) match(missing.error, /^cannot run it: /);
});
