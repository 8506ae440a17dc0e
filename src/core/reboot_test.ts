import { equal } from "node:assert/strict";
import { commandReboot } from "./reboot.ts";

Deno.test("the reboot adapter runs its command (a script here, systemctl reboot for real)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-reboot-" });
  try {
    const reboot = commandReboot(["/bin/sh", "-c", `echo "$0" > ${dir}/rebooted`, "asked"]);
    await reboot('job "kiosk" went quiet');
    equal(await Deno.readTextFile(`${dir}/rebooted`), "asked\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failing or missing reboot command is logged, never thrown", async () => {
  await commandReboot(["/bin/false"])("test");
  await commandReboot(["/nonexistent/reboot"])("test");
});
