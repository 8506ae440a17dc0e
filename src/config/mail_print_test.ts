import { deepStrictEqual, ok } from "node:assert/strict";
import { parseAccounts } from "./accounts.ts";
import { mailLines } from "./mail_print.ts";
import { validateConfig } from "./validate.ts";

const accounts = parseAccounts("root:x:0:0:root:/root:/bin/bash\n", "root:x:0:\n");

Deno.test("sup check shows the mail section, and where the password comes from, never the password", async () => {
  const result = await validateConfig({
    jobs: { a: { cmd: "true" } },
    mail: {
      smtp: { host: "smtp.example.com", user: "me", pass: "hunter2" },
      to: ["ops@example.com"],
    },
  }, { source: "/srv/sup.json", accounts, hostname: "h" });
  ok(result.ok);
  const lines = mailLines(result.config);
  deepStrictEqual(lines.slice(1, 4), [
    "mail",
    "  smtp               smtp.example.com:587, STARTTLS when offered, timeout 30s",
    "  user               me, password in the config",
  ]);
  ok(!lines.join("\n").includes("hunter2"));
  deepStrictEqual(mailLines({ ...result.config, mail: null }), []);
});
