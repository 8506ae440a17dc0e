import { deepStrictEqual, rejects } from "node:assert/strict";
import { launchChromium } from "./support/chromium.ts";

/** Runs `fn` with a private TMPDIR (this test file's process only) and lists what it left there. */
async function leftIn(fn: () => Promise<void>): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "sup-tmpdir-" });
  const old = Deno.env.get("TMPDIR");
  Deno.env.set("TMPDIR", dir);
  try {
    await fn();
    return [...Deno.readDirSync(dir)].map((e) => e.name);
  } finally {
    if (old === undefined) Deno.env.delete("TMPDIR");
    else Deno.env.set("TMPDIR", old);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a browser that cannot start leaves no profile folder behind", async () => {
  // An executable that is not a browser: playwright's launch fails at once.
  deepStrictEqual(await leftIn(() => rejects(launchChromium("/bin/false"))), []);
});

Deno.test("a missing browser is a clear error and creates nothing", async () => {
  const left = await leftIn(() =>
    rejects(launchChromium("/nonexistent/chromium"), /Chromium is not installed/)
  );
  deepStrictEqual(left, []);
});
